"""Chat with the running assistant in a terminal, over Rasa's REST channel.

Buttons are shown numbered; typing the number sends the button's payload, as a click would.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
import uuid
from typing import Any


def send(url: str, sender: str, text: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Post one message and return the assistant's replies.

    A refusal (too long, too many messages) comes with an error status and a friendly reply
    in the body: that reply is returned like any other.
    """
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"[]")
    except urllib.error.HTTPError as error:
        if error.code in (400, 413, 429):
            return json.loads(error.read() or b"[]")
        raise


def render(replies: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Text to print and the payloads of the numbered buttons."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        if reply.get("text"):
            lines.append(f"assistent: {reply['text']}")
        for button in reply.get("buttons") or []:
            payloads.append(button["payload"])
            lines.append(f"   [{len(payloads)}] {button['title']}")
    return "\n".join(lines), payloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/web/webhook")
    args = parser.parse_args()
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Typ je bericht (Ctrl-D om te stoppen). Een cijfer kiest een knop.")
    payloads: list[str] = []
    text = "/greet"
    while True:
        try:
            shown, payloads = render(send(args.url, sender, text))
        except OSError as exc:
            print(f"De assistent is niet bereikbaar op {args.url} ({exc}). Draait ./scripts/run?")
            return
        print(shown)
        try:
            typed = input("jij: ").strip()
        except EOFError:
            print()
            return
        is_choice = typed.isdigit() and 0 < int(typed) <= len(payloads)
        text = payloads[int(typed) - 1] if is_choice else typed


if __name__ == "__main__":
    main()

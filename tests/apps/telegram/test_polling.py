"""The polling runner as a practice runs it: a real process, the fake Bot API, real Rasa."""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apps.telegram import updates

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[3]
QUESTION = "wat doet cortisol eigenlijk met je lichaam?"


def start_runner(rig, *args: str, secret: str | None = None) -> subprocess.Popen:
    env = {**os.environ, **rig.env}
    if secret is not None:
        env["TELEGRAM_SECRET_TOKEN"] = secret
    return subprocess.Popen(
        [sys.executable, "-m", "burnout_assistant.apps.telegram_polling", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def texts_to(fake, chat_id: int) -> list[str]:
    return [html.unescape(c.params["text"]) for c in fake.calls("sendMessage", chat_id=chat_id)]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_runner_forwards_updates_in_order_and_stops_cleanly(telegram_rig, stop_signal) -> None:
    fake, chat = telegram_rig.fake, telegram_rig.chat()
    start = len(fake.calls())
    first = fake.queue_update(updates.text(chat.id, QUESTION))
    runner = start_runner(telegram_rig, "--rasa-url", telegram_rig.assistant.rasa_url,
                          "--poll-seconds", "5")
    try:
        fake.wait_for(lambda: any("cortisol" in t.lower() for t in texts_to(fake, chat.id)),
                      timeout=180)
        fake.queue_update(updates.text(chat.id, "/start"))  # arrives while it is running
        fake.wait_for(lambda: any("welkom" in t for t in texts_to(fake, chat.id)), timeout=180)
        fake.wait_for(lambda: not fake.pending_updates(), timeout=60)  # both confirmed
    finally:
        runner.send_signal(stop_signal)
        try:
            output, _ = runner.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            runner.kill()
            raise
    assert runner.returncode == 0, output

    calls = fake.calls()[start:]
    methods = [c.method for c in calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    offsets = [int(c.params.get("offset") or 0) for c in calls if c.method == "getUpdates"]
    assert first + 1 in offsets  # the first update was confirmed after it was handed on
    # each update reached the assistant exactly once, in order
    assert [e["text"] for e in telegram_rig.user_events(chat.id)] == [QUESTION, "/greet"]
    assert "cortisol" not in output and telegram_rig.env["TELEGRAM_BOT_TOKEN"] not in output


def test_runner_with_the_wrong_secret_stops_and_loses_nothing(telegram_rig) -> None:
    fake, chat = telegram_rig.fake, telegram_rig.chat()
    fake.queue_update(updates.text(chat.id, "hallo"))
    runner = start_runner(telegram_rig, "--rasa-url", telegram_rig.assistant.rasa_url,
                          secret="niet-het-geheim-van-de-server")
    try:
        output, _ = runner.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        runner.kill()
        raise
    try:
        assert runner.returncode == 3, output
        assert "same secret" in output
        assert len(fake.pending_updates()) == 1  # not confirmed: a fixed runner still gets it
        assert telegram_rig.user_events(chat.id) == []
    finally:
        fake.clear_updates()


def test_set_webhook_registers_the_url_with_the_secret(telegram_rig) -> None:
    url = "https://praktijk.example.nl/webhooks/telegram/webhook"
    runner = start_runner(telegram_rig, "--set-webhook", url)
    output, _ = runner.communicate(timeout=120)
    assert runner.returncode == 0, output
    [call] = [c for c in telegram_rig.fake.calls("setWebhook") if c.params["url"] == url]
    assert call.params["secret_token"] == telegram_rig.secret
    assert set(call.params["allowed_updates"]) == {"message", "callback_query"}

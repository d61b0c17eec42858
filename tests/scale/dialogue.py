"""Conversations the scale tests drive, and what they check in the stored tracker."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from burnout_assistant.apps.limits import FAILED_TEXT
from burnout_assistant.apps.replicas import Replica, Reply
from tests.server.replies import buttons

MAX_CHECK_ANSWERS = 13  # the check has 11 questions; bounded so a broken check fails, not hangs


@dataclass
class Conversation:
    """What one visitor sent (in order) and got back."""

    sender: str
    sent: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    reference: str | None = None

    def say(self, replica: Replica, text: str) -> Reply:
        reply = replica.send(self.sender, text)
        self.sent.append(text)
        self.replies.append(reply)
        assert reply.status == 200 and reply.messages, (self.sender, len(self.sent), reply)
        assert FAILED_TEXT not in reply.text, (self.sender, len(self.sent))
        return reply


def check_and_book(
    conversation: Conversation, replica_for_message: Callable[[int], Replica],
    booking_lock: threading.Lock,
) -> Conversation:
    """Greeting, the whole symptom check by buttons, then a full booking of the first slot.

    Message i goes to ``replica_for_message(i)``. The booking runs under ``booking_lock``:
    parallel visitors offered the same first slot would (rightly) get "taken, other times",
    which is the booking tests' subject, not this one's.
    """

    def say(text: str) -> Reply:
        return conversation.say(replica_for_message(len(conversation.sent)), text)

    say("hallo")
    reply = say("/start_symptom_check")
    for _ in range(MAX_CHECK_ANSWERS):
        if any(b["payload"] == "/book_intro_call" for b in buttons(reply.messages)):
            break
        reply = say(buttons(reply.messages)[-1]["payload"])  # the heaviest answer
    assert any(b["payload"] == "/book_intro_call" for b in buttons(reply.messages)), reply.text
    with booking_lock:
        offer = say("/book_intro_call")
        slot = next(b for b in buttons(offer.messages) if b["payload"].startswith("/inform{")
                    and json.loads(b["payload"][len("/inform"):]).get("slot_choice") != "ander")
        say(slot["payload"])
        say("Sanne de Vries")
        say("06 12345678")
        assert "bewaren" in say("geen").text
        assert "antwoorden uit de check" in say("/affirm").text  # a separate yes or no
        assert "Klopt dit?" in say("/affirm").text
        done = say("/affirm").text
    assert "boekingscode is " in done, done
    conversation.reference = done.split("boekingscode is ")[1][:6]
    return conversation


@dataclass
class TrackerFindings:
    """What is wrong with one stored conversation, compared with what was sent."""

    lost: list[str]
    duplicated: list[str]
    out_of_order: bool
    unanswered: int  # user messages with no bot reply before the next user message
    duplicate_events: int  # rows with identical content, timestamp included

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.out_of_order or self.unanswered
                    or self.duplicate_events)


def user_texts(rows: list[dict]) -> list[str]:
    return [row.get("text") or "" for row in rows if row["type"] == "user"]


def findings(rows: list[dict], sent: list[str], order_known: bool = True) -> TrackerFindings:
    """Compare the stored events with the sent messages.

    ``order_known`` is False when messages were sent at the same instant: then only their
    presence counts, not which of a simultaneous pair came first.
    """
    stored = user_texts(rows)
    counts, expected = Counter(stored), Counter(sent)
    lost = sorted((expected - counts).elements())  # the same answer may rightly be sent twice
    duplicated = sorted((counts - expected).elements())
    out_of_order = order_known and stored != sent
    unanswered = 0
    kinds = [row["type"] for row in rows]
    for index, kind in enumerate(kinds):
        if kind != "user":
            continue
        following = kinds[index + 1:]
        next_user = following.index("user") if "user" in following else len(following)
        if "bot" not in following[:next_user]:
            unanswered += 1
    contents = Counter(json.dumps({k: v for k, v in row.items() if k != "id"}, sort_keys=True)
                       for row in rows)
    duplicate_events = sum(n - 1 for n in contents.values() if n > 1)
    return TrackerFindings(lost, duplicated, out_of_order, unanswered, duplicate_events)

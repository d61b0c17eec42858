"""What the staff dashboard reads back from the tracker store the real Rasa server wrote."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from burnout_assistant.config_files import load_yaml
from burnout_assistant.records.conversations import ASSISTANT, VISITOR, ConversationStore
from burnout_assistant.records.insights import candidate_examples_yaml
from burnout_assistant.settings import load_settings
from tests.server.replies import buttons

pytestmark = pytest.mark.model
NONSENSE = "xqzv blorp"


def test_a_real_conversation_read_back(servers, practice) -> None:
    tz = load_settings(practice["settings_file"]).tz
    store = ConversationStore(f"sqlite:///{servers.workdir}/tracker.db", tz)
    sender = f"convo-{uuid.uuid4().hex[:8]}"
    now = datetime.now(timezone.utc)
    before = store.weekly_funnel(1, now)[0]

    said: list[str] = []  # every text the assistant sent, in order
    typed: list[str] = []  # what the transcript should show for the visitor

    def send(text: str, shown: str | None = None) -> list[dict]:
        replies = servers.send(sender, text)
        typed.append(shown or text)
        said.extend(r["text"] for r in replies if r.get("text"))
        return replies

    send("hallo")
    send(NONSENSE)
    faq = send("wat doet cortisol eigenlijk?")
    check = next(b for b in buttons(faq) if b["payload"] == "/start_symptom_check")
    question = send(check["payload"], shown=check["title"])
    answer = buttons(question)[-1]
    send(answer["payload"], shown=answer["title"])

    turns = store.transcript(sender)
    assert [t.text for t in turns if t.who == VISITOR] == typed
    assert [t.text for t in turns if t.who == ASSISTANT] == said
    intents = [t.intent for t in turns if t.who == VISITOR]
    assert intents[0] == "greet" and intents[2] == "faq/cortisol"
    assert intents[3] == "start_symptom_check"
    assert any(answer["title"] in t.buttons for t in turns if t.who == ASSISTANT)
    assert all(now - timedelta(seconds=5) < t.at < datetime.now(timezone.utc) for t in turns)

    assert store.topics(sender) == ["cortisol"]

    after = store.weekly_funnel(1, now)[0]
    assert after.conversations - before.conversations == 1
    assert after.check_started - before.check_started == 1
    assert after.check_done == before.check_done  # one answer of ten is not a finished check

    misses = store.not_understood(now)
    mine = [m for m in misses if m.text == NONSENSE]
    assert len(mine) == 1, [m.intent for m in misses]
    assert all(m.text not in typed[2:] for m in misses)  # the question and clicks were understood
    assert dict(store.top_faq_topics(now)).get("cortisol", 0) >= 1
    exported = load_yaml(candidate_examples_yaml(misses))
    assert f"- {NONSENSE}" in exported["nlu"][0]["examples"].splitlines()

    # Retention on the live database: only this conversation goes, and Rasa carries on.
    others = {s for s in store.idle_senders(0, datetime.now(timezone.utc) + timedelta(seconds=1))
              if s != sender}
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert store.delete_older_than(0, others, later) == 1
    assert store.transcript(sender) == []
    assert store.idle_senders(0, later) == sorted(others)
    again = servers.send(sender, "hallo")
    assert any(r.get("buttons") for r in again)  # greeted as a new visitor
    assert [t.text for t in store.transcript(sender) if t.who == VISITOR] == ["hallo"]
    store.dispose()

"""Faults of the scaled setup: an action server killed, PostgreSQL restarted, Redis unreachable.

Each is a real process or service failing on loopback; every test is bounded in time and
leaves the shared services running (PostgreSQL is started again even when a check fails).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from burnout_assistant.apps.limits import FAILED_TEXT
from burnout_assistant.apps.processes import free_port
from burnout_assistant.apps.replicas import ReplicaSet, Reply, ScaledStores, running_replicas
from burnout_assistant.records.leads import LeadStore
from tests.scale.dialogue import findings, user_texts
from tests.server.replies import buttons

pytestmark = pytest.mark.model

PG_CLUSTERS = Path("/etc/postgresql")
REDIS_DOWN_BOUND = 15.0  # seconds: a visitor must get an answer, not a spinner


def _pg_ctl(action: str) -> subprocess.CompletedProcess:
    version = sorted(p.name for p in PG_CLUSTERS.iterdir())[0]
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        capture_output=True, text=True, timeout=120,
    )


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-t", "5"],
                          capture_output=True, timeout=30).returncode == 0


def test_killed_action_server_gives_a_friendly_answer_and_the_booking_goes_on(
    cluster: ReplicaSet, tracker_rows, leads_url
) -> None:
    replica = cluster[0]
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    try:
        offer = replica.send(sender, "/book_intro_call")
        choice = next(b["payload"] for b in buttons(offer.messages)
                      if b["payload"].startswith('/inform{"slot_choice":"2'))
        replica.kill_actions()  # mid-form: the slot validation needs the action server

        started = time.monotonic()
        down = replica.send(sender, choice, timeout=30)
        assert time.monotonic() - started < 10
        # Rasa swallows the failed action and returns no reply; the channel turns that
        # silence into the friendly text (status 200: the request itself was fine).
        assert down.status == 200 and down.text == FAILED_TEXT, down
        assert "Couldn't connect to the server" in replica.rasa_log.read_text()

        replica.start_actions()  # the same port, as a restarted container would have
        again = replica.send(sender, choice)  # "stuur je bericht zo nog eens"
        assert "noemen" in again.text, again.text  # the form goes on: next question, the name
        replica.send(sender, "Sanne de Vries")
        replica.send(sender, "0612345678")
        replica.send(sender, "geen")
        replica.send(sender, "/affirm")
        done = replica.send(sender, "/affirm")
        assert "boekingscode is " in done.text, done.text
    finally:
        if replica.actions is None or replica.actions.poll() is not None:
            replica.start_actions()

    store = LeadStore(leads_url)
    try:
        assert len(store.leads_of(sender)) == 1
    finally:
        store.dispose()
    stored = user_texts(tracker_rows(sender))
    assert stored.count(choice) == 2  # the failed attempt and the retry, both on record


@pytest.mark.skipif(not PG_CLUSTERS.is_dir() or shutil.which("pg_ctlcluster") is None,
                    reason="needs a local PostgreSQL cluster managed by pg_ctlcluster")
def test_postgresql_restart_mid_conversation_loses_no_events(
    cluster: ReplicaSet, tracker_rows, record_property
) -> None:
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    sent: list[str] = []
    replies: list[Reply] = []

    def say(text: str) -> Reply:
        reply = cluster[len(sent) % 2].send(sender, text, timeout=60)
        sent.append(text)
        replies.append(reply)
        return reply

    say("hallo")
    say("/start_symptom_check")
    assert "Vraag 2 van" in say("vaak").text

    during: list[Reply] = []
    sender_during = threading.Thread(
        target=lambda: (time.sleep(0.3), during.append(cluster[1].send(sender, "soms"))))
    try:
        sender_during.start()
        restarted = _pg_ctl("restart")
        assert restarted.returncode == 0, restarted.stderr
        sender_during.join(timeout=90)
    finally:
        if not _pg_ready():
            _pg_ctl("start")
    assert during, "the message sent during the restart got no answer"
    note = f"message during the restart: status {during[0].status}, {during[0].text[:60]!r}"
    record_property("during_restart", note)
    print(note)
    if during[0].status == 200 and FAILED_TEXT not in during[0].text:
        sent.append("soms")
        expected = 4
    else:
        expected = 3

    # After the restart both replicas' pooled connections are dead; the next messages
    # must still continue the same check, not a fresh conversation.
    for answer in ("nooit", "zelden", "vaak"):
        reply = say(answer)
        assert reply.status == 200 and f"Vraag {expected} van" in reply.text, reply.text
        expected += 1

    rows = tracker_rows(sender)
    found = findings(rows, sent)
    assert found.clean, found


@pytest.fixture(scope="module")
def redis_down(
    model_path: Path, stores: ScaledStores, scale_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReplicaSet]:
    """One replica whose lock store points at a closed port (Redis itself keeps running)."""
    closed = dataclasses.replace(stores, redis_port=free_port())
    workdir = tmp_path_factory.mktemp("redis-down")
    with running_replicas(model_path, workdir, closed, count=1, env=scale_env) as replicas:
        yield replicas


def test_unreachable_redis_gives_a_clear_error_not_a_hang(redis_down: ReplicaSet) -> None:
    replica = redis_down[0]
    for text in ("hallo", "wat is burn-out?"):
        started = time.monotonic()
        reply = replica.send(f"redis-{uuid.uuid4().hex[:8]}", text, timeout=60)
        assert time.monotonic() - started < REDIS_DOWN_BOUND
        assert reply.status == 500 and reply.text == FAILED_TEXT, reply
    log = replica.rasa_log.read_text()
    assert "web message failed: LockError" in log
    assert "wat is burn-out" not in log  # the message text never reaches the log

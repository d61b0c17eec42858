"""Two Rasa replicas and two action servers on one PostgreSQL tracker store and Redis lock store.

Conversations alternate between the replicas message by message: every tracker must come out
complete and in order, and every booking stored once. Then the case the deployment avoids:
two messages of one conversation at the same instant on both replicas (open-source Rasa's
Redis lock store races, rasa#9213), against the same pairs routed by a sender hash.
"""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from burnout_assistant.apps.launch import ROOT
from burnout_assistant.apps.limits import FAILED_TEXT
from burnout_assistant.apps.processes import free_port, wait_for_http
from burnout_assistant.apps.replicas import (
    CONVERSATION_HEADER,
    Replica,
    Reply,
    post_message,
    replica_for,
)
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.records.leads import LeadStore
from tests.conftest import nginx_binary
from tests.scale.dialogue import Conversation, check_and_book, findings, user_texts

pytestmark = pytest.mark.model

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
CONVERSATIONS = 6
ROUNDS = 8
QUESTIONS = [
    "wat is burn-out?", "wat doet cortisol eigenlijk?", "helpt magnesium?",
    "hoe lang duurt herstel?", "wat kost een traject?", "ik slaap zo slecht",
    "wat is het verschil met depressie?", "moet ik naar de huisarts?", "ik ben zo moe",
    "helpt sporten bij burn-out?", "wat doet een therapeut?", "kan ik blijven werken?",
    "wat is overspannenheid?", "hoe herken ik burn-out?", "wat kan ik zelf doen?",
    "helpt ademhaling?",
]


def test_each_replica_serves_with_two_worker_processes(cluster) -> None:
    import psutil

    from tests.scale.conftest import WORKERS

    for replica in cluster.replicas:
        assert replica.rasa is not None
        workers = [p for p in psutil.Process(replica.rasa.pid).children(recursive=True)
                   if "python" in p.name().lower() or "rasa" in " ".join(p.cmdline())]
        assert len(workers) >= WORKERS, [p.cmdline() for p in workers]


def test_alternating_replicas_keep_every_conversation_whole(
    cluster, tracker_rows, leads_url, practice
) -> None:
    booking_lock = threading.Lock()

    def run(number: int) -> Conversation:
        conversation = Conversation(f"scale-{number}-{uuid.uuid4().hex[:8]}")
        return check_and_book(conversation, lambda i: cluster[i % 2], booking_lock)

    with ThreadPoolExecutor(max_workers=3) as pool:
        conversations = list(pool.map(run, range(CONVERSATIONS)))

    store = LeadStore(leads_url)
    calendar = PracticeCalendar(practice["calendar_url"])
    try:
        for conversation in conversations:
            assert len(conversation.sent) >= 12
            rows = tracker_rows(conversation.sender)
            found = findings(rows, conversation.sent)
            assert found.clean, (conversation.sender, found)
            stamps = [row["timestamp"] for row in rows if row["type"] == "user"]
            assert stamps == sorted(set(stamps))  # strictly increasing: none twice
            # Rasa's own API (any replica) returns the same conversation.
            api_texts = [e.get("text") for e in cluster.tracker_events(conversation.sender)
                         if e["event"] == "user"]
            assert api_texts == conversation.sent

            leads = store.leads_of(conversation.sender)
            assert [lead.reference for lead in leads] == [conversation.reference]
            lead = leads[0]
            assert lead.check_band is not None and lead.calendar_uid
            assert calendar.event_exists(lead.calendar_uid)
            busy = calendar.busy_periods(lead.slot_start, lead.slot_start + timedelta(minutes=1))
            assert len(busy) == 1, busy  # exactly one calendar event in that slot
        starts = [store.leads_of(c.sender)[0].slot_start for c in conversations]
        assert len(set(starts)) == CONVERSATIONS
    finally:
        store.dispose()


Send = Callable[[str, str], Reply]


def _to(replica: Replica) -> Send:
    return lambda sender, text: replica.send(sender, text, timeout=60)


def _pairs(sender: str, targets: list[Send]) -> tuple[list[str], list[Reply], float]:
    """ROUNDS times, two messages of ``sender`` sent at the same instant to ``targets``.

    One to each replica is what a round-robin balancer may do when a visitor sends twice
    quickly; routed, both reach the replica the sender hash picks.
    """
    sent: list[str] = ["hallo"]
    started = time.monotonic()
    replies: list[Reply] = [targets[0](sender, "hallo")]
    for round_number in range(ROUNDS):
        pair = QUESTIONS[2 * round_number:2 * round_number + 2]
        barrier = threading.Barrier(2, timeout=30)

        def post(index: int, pair: list[str] = pair, barrier: threading.Barrier = barrier) -> Reply:
            barrier.wait()
            return targets[index](sender, pair[index])

        with ThreadPoolExecutor(max_workers=2) as pool:
            replies.extend(pool.map(post, range(2)))
        sent.extend(pair)
    return sent, replies, time.monotonic() - started


def test_same_instant_on_both_replicas_versus_routed_by_sender(
    cluster, tracker_rows, record_property
) -> None:
    unrouted_sender = f"race-{uuid.uuid4().hex[:8]}"
    routed_sender = f"routed-{uuid.uuid4().hex[:8]}"

    sent, replies, seconds = _pairs(unrouted_sender, [_to(cluster[0]), _to(cluster[1])])
    rows = tracker_rows(unrouted_sender)
    race = findings(rows, sent, order_known=False)
    failed = sum(1 for r in replies if r.status != 200 or FAILED_TEXT in r.text)
    report = (f"unrouted: {ROUNDS} simultaneous pairs on 2 replicas in {seconds:.1f} s: "
              f"{len(race.lost)} user messages lost, {len(race.duplicated)} duplicated, "
              f"{race.unanswered} without a stored reply, {race.duplicate_events} duplicate "
              f"events, {failed} error replies; stored {len(user_texts(rows))} of {len(sent)}")
    record_property("unrouted", report)
    print(report)
    # Deterministic even in the race: every request is answered, nothing hangs.
    assert len(replies) == len(sent) and all(r.messages for r in replies)

    routed_to = _to(cluster.routed(routed_sender))
    sent, replies, seconds = _pairs(routed_sender, [routed_to, routed_to])
    rows = tracker_rows(routed_sender)
    routed = findings(rows, sent, order_known=False)
    report = (f"routed by sender hash to replica {replica_for(routed_sender, 2)}: "
              f"{ROUNDS} pairs in {seconds:.1f} s: {routed}")
    record_property("routed", report)
    print(report)
    assert all(r.status == 200 and FAILED_TEXT not in r.text for r in replies)
    assert routed.clean, routed  # each stored once, each with its own reply
    assert sorted(user_texts(rows)) == sorted(sent)


def test_widget_routing_header_passes_cors(cluster, practice) -> None:
    """The widget sends X-Conversation-Id for the balancer; the browser's preflight must pass."""
    request = urllib.request.Request(
        cluster[0].webhook_url, method="OPTIONS",
        headers={"Origin": practice["site_origin"], "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": f"content-type,{CONVERSATION_HEADER}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        allowed = (response.headers.get("Access-Control-Allow-Headers") or "").lower()
        assert response.headers.get("Access-Control-Allow-Origin") == practice["site_origin"]
    assert CONVERSATION_HEADER.lower() in allowed or allowed == "*"


@pytest.fixture(scope="module")
def balancer(cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """deploy/nginx.conf itself in front of the two replicas (service names → loopback ports)."""
    nginx = nginx_binary()
    workdir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = NGINX_CONF.read_text()
    for index, replica in enumerate(cluster.replicas, start=1):
        conf = conf.replace(f"rasa-{index}:5005", f"127.0.0.1:{replica.rasa_port}")
    conf = (conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
            .replace("access_log /dev/stdout", f"access_log {workdir}/access.log"))
    (workdir / "nginx.conf").write_text(conf)
    (workdir / "logs").mkdir()
    proc = subprocess.Popen(
        [nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf"),
         "-g", f"daemon off; pid {workdir}/nginx.pid; error_log {workdir}/error.log;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/webhooks/web/", proc, seconds=30)
        yield f"http://127.0.0.1:{port}", workdir / "access.log"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _new_log_lines(access_log: Path, before: int, expected: int) -> list[str]:
    """The access log lines after ``before``; nginx writes a line just after answering."""
    deadline = time.monotonic() + 5
    while True:
        lines = access_log.read_text().splitlines()[before:]
        if len(lines) >= expected or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_nginx_sends_each_conversation_to_one_replica(balancer, tracker_rows) -> None:
    url, access_log = balancer
    webhook = f"{url}/webhooks/web/webhook"

    def via_nginx(sender: str, text: str) -> Reply:
        return post_message(webhook, sender, text, timeout=60)

    upstreams_per_sender = []
    for number in range(4):
        sender = f"nginx-{number}-{uuid.uuid4().hex[:8]}"
        before = len(access_log.read_text().splitlines()) if access_log.exists() else 0
        sent, replies, _ = _pairs(sender, [via_nginx, via_nginx])
        lines = _new_log_lines(access_log, before, len(sent))
        upstreams = {line.rsplit(" ", 1)[-1] for line in lines if "/webhooks/web/webhook" in line}
        upstreams_per_sender.append(upstreams)
        assert len(upstreams) == 1, (sender, upstreams)  # every message on the same replica
        assert all(r.status == 200 and FAILED_TEXT not in r.text for r in replies)
        found = findings(tracker_rows(sender), sent, order_known=False)
        assert found.clean, (sender, found)
    print("nginx upstream per conversation:", [sorted(u) for u in upstreams_per_sender])
    # ... and spreads conversations over the replicas (all 20 on one: p = 2 × 0.5^20).
    before = len(access_log.read_text().splitlines())
    for number in range(20):
        assert via_nginx(f"spread-{number}-{uuid.uuid4().hex[:6]}", "hallo").status == 200
    lines = _new_log_lines(access_log, before, 20)
    assert len({line.rsplit(" ", 1)[-1] for line in lines}) == 2

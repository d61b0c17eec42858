"""Benchmark the assistant over the REST channel, on loopback only, bounded in count and time.

Prints p50/p95 latency for one user, msg/s and p95 with 10 concurrent users, the training time
and the servers' RSS. Run: .venv/bin/python bench/bench.py [--skip-train]

Traffic is shaped like visitors: conversations of ten messages (questions, a check answer,
a booking start), each with its own sender id, against a real Radicale as in ./scripts/run.
Rasa posts the whole conversation to the action server on every action call, so one endless
conversation would measure tracker size, not the assistant.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from burnout_assistant.radicale_server import running_radicale  # noqa: E402
from burnout_assistant.servers import (  # noqa: E402
    RunningAssistant,
    running_assistant,
    settings_for_local_run,
)
from burnout_assistant.training import ensure_model  # noqa: E402

MESSAGES = [  # one conversation
    "hallo",
    "wat is burn-out eigenlijk?",
    "ik slaap slecht en ben altijd moe, hoort dat erbij?",
    "en magnesium?",
    "hoe lang duurt herstel meestal",
    "wat kost een traject bij jullie",
    "ben jij een robot?",
    "wat wordt het weer morgen",
    "ik wil een kennismakingsgesprek plannen",
    "donderdagmiddag",
]
DEADLINE_S = 300  # hard stop for the whole load phase


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def sender_for(message_number: int, tag: str) -> str:
    """A new visitor every len(MESSAGES) messages."""
    return f"bench-{tag}-{message_number // len(MESSAGES)}"


def one_user(assistant: RunningAssistant, count: int) -> list[float]:
    tag = uuid.uuid4().hex[:8]
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        assistant.send(sender_for(i, tag), MESSAGES[i % len(MESSAGES)])
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def concurrent_users(
    assistant: RunningAssistant, users: int, each: int
) -> tuple[float, list[float]]:
    results: list[list[float]] = [[] for _ in range(users)]
    stop_at = time.monotonic() + DEADLINE_S

    def worker(slot: int) -> None:
        tag = f"{slot}-{uuid.uuid4().hex[:6]}"
        for i in range(each):
            if time.monotonic() > stop_at:
                return
            started = time.perf_counter()
            assistant.send(sender_for(i, tag), MESSAGES[i % len(MESSAGES)])
            results[slot].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [v for r in results for v in r]
    return len(latencies) / elapsed, latencies


def measure_training() -> float:
    """A cold training run (own empty Rasa cache, temp output) so the time is honest."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_CACHE_DIRECTORY": f"{tmp}/cache"}
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--out", tmp, "--fixed-model-name", "bench"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return (proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description="REST benchmark on loopback")
    parser.add_argument("--skip-train", action="store_true", help="reuse the last training time")
    parser.add_argument("--single", type=int, default=100, help="messages for the one-user run")
    parser.add_argument("--each", type=int, default=30, help="messages per concurrent user")
    args = parser.parse_args()

    model = ensure_model(ROOT)
    if args.skip_train:
        last = ROOT / "models" / "last_training.json"
        train_s = json.loads(last.read_text())["seconds"] if last.exists() else float("nan")
    else:
        train_s = measure_training()

    with tempfile.TemporaryDirectory() as tmp, running_radicale(Path(tmp) / "cal") as cal_url:
        env = {"PRACTICE_SETTINGS": str(settings_for_local_run(Path(tmp), cal_url))}
        with running_assistant(model, Path(tmp), env) as assistant:
            one_user(assistant, 10)  # warm-up: first predictions load lazily
            single = one_user(assistant, args.single)
            throughput, loaded = concurrent_users(assistant, 10, args.each)
            rasa_rss = rss_mb(assistant.rasa_pid)
            action_rss = rss_mb(assistant.action_pid)

    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    print(f"training (cold cache):   {train_s:.0f} s")
    print(f"1 user, {len(single)} msgs:      p50 {percentile(single, 50):.0f} ms, "
          f"p95 {percentile(single, 95):.0f} ms")
    print(f"10 users, {len(loaded)} msgs:    {throughput:.1f} msg/s, "
          f"p95 {percentile(loaded, 95):.0f} ms, mean {statistics.mean(loaded):.0f} ms")
    print(f"RSS: Rasa server {rasa_rss:.0f} MB, action server {action_rss:.0f} MB")


if __name__ == "__main__":
    main()

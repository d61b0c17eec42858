"""The side-by-side table, the targets as ratios, and the machine the numbers came from.

Numbers from one run on one machine only mean something next to each other, so every result
file says where and when it ran and with which command, and the targets are ratios against
Rasa's default configuration measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psutil

# Targets of the "Scale and speed" issue.
MIN_THROUGHPUT_RATIO = 2.0
MAX_P95_ONE_USER_MS = 150.0
MAX_RASA_RSS_MB = 1200.0  # 1.2 GB per Rasa replica
MAX_TRAINING_S = 120.0

Summary = Mapping[str, float]  # metric key -> value; see METRICS


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    fmt: str
    higher_is_better: bool


def metrics(levels: Sequence[int]) -> list[Metric]:
    """Rows of the table in order; ``levels`` are the concurrent-user counts measured."""
    rows = [
        Metric("intent_f1", "intent macro-F1, held-out split", "{:.3f}", True),
        Metric("faq_accuracy", "faq response accuracy, held-out", "{:.3f}", True),
        Metric("selector_accuracy", "faq topic right, selector alone, held-out", "{:.3f}", True),
        Metric("fallback_rate", "held-out answered with nlu_fallback (share)", "{:.3f}", False),
        Metric("test_set_f1", "macro-F1 tests/nlu/test_set.yml (full labels)", "{:.3f}", True),
        Metric("train_s", "training time, cold cache (s)", "{:.0f}", False),
        Metric("p50_1", "1 user: p50 latency (ms)", "{:.0f}", False),
        Metric("p95_1", "1 user: p95 latency (ms)", "{:.0f}", False),
    ]
    for users in levels:
        rows += [
            Metric(f"tput_{users}", f"{users} users: throughput (msg/s)", "{:.1f}", True),
            Metric(f"p95_{users}", f"{users} users: p95 latency (ms)", "{:.0f}", False),
        ]
    rows += [
        Metric("rss_rasa", "RSS Rasa server after load (MB)", "{:.0f}", False),
        Metric("rss_action", "RSS action server after load (MB)", "{:.0f}", False),
        Metric("rss_agent", "RSS model alone: scoring process (MB)", "{:.0f}", False),
        Metric("errors", "failed requests (all phases)", "{:.0f}", False),
    ]
    return rows


def fmt(value: float | None, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return pattern.format(value)


def ratio(candidate: float | None, baseline: float | None) -> float:
    """candidate / baseline, NaN when either is missing or the baseline is zero."""
    if candidate is None or baseline is None or not baseline:
        return math.nan
    if math.isnan(candidate) or math.isnan(baseline):
        return math.nan
    return candidate / baseline


def side_by_side(
    results: Mapping[str, Summary], baseline: str, levels: Sequence[int]
) -> list[str]:
    """A Markdown table: one column per configuration, plus each one's ratio to the baseline."""
    names = list(results)
    others = [n for n in names if n != baseline]
    header = ["metric", *names, *(f"{n} / {baseline}" for n in others)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric in metrics(levels):
        cells = [metric.title]
        cells += [fmt(results[n].get(metric.key), metric.fmt) for n in names]
        cells += [
            fmt(ratio(results[n].get(metric.key), results[baseline].get(metric.key)), "{:.2f}x")
            for n in others
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@dataclass(frozen=True)
class TargetCheck:
    target: str
    measured: str
    passed: bool


def check_targets(
    candidate: Summary, baseline: Summary, levels: Sequence[int]
) -> list[TargetCheck]:
    """The issue's targets for one configuration against the default, from the same run."""
    tput = {u: ratio(candidate.get(f"tput_{u}"), baseline.get(f"tput_{u}")) for u in levels}
    worst = min(tput.values()) if tput else math.nan
    tput_text = ", ".join(f"{u} users {fmt(r, '{:.2f}x')}" for u, r in tput.items())
    f1, base_f1 = candidate.get("intent_f1", math.nan), baseline.get("intent_f1", math.nan)
    checks = [
        (f"throughput >= {MIN_THROUGHPUT_RATIO:g}x default (every level)", tput_text,
         worst >= MIN_THROUGHPUT_RATIO),
        (f"p95 one user <= {MAX_P95_ONE_USER_MS:g} ms",
         fmt(candidate.get("p95_1"), "{:.0f} ms"),
         candidate.get("p95_1", math.inf) <= MAX_P95_ONE_USER_MS),
        ("intent macro-F1 >= default's", f"{fmt(f1, '{:.4f}')} vs {fmt(base_f1, '{:.4f}')}",
         f1 >= base_f1),
        (f"RSS Rasa server <= {MAX_RASA_RSS_MB:g} MB",
         fmt(candidate.get("rss_rasa"), "{:.0f} MB"),
         candidate.get("rss_rasa", math.inf) <= MAX_RASA_RSS_MB),
        (f"training <= {MAX_TRAINING_S:g} s", fmt(candidate.get("train_s"), "{:.0f} s"),
         candidate.get("train_s", math.inf) <= MAX_TRAINING_S),
    ]
    # NaN compares False, so a missing measurement is a FAIL, never a silent PASS.
    return [TargetCheck(t, m, bool(p)) for t, m, p in checks]


def target_table(name: str, checks: Sequence[TargetCheck]) -> list[str]:
    lines = [f"Targets for `{name}`:", "", "| target | measured | result |", "|---|---|---|"]
    lines += [f"| {c.target} | {c.measured} | {'PASS' if c.passed else 'FAIL'} |" for c in checks]
    return lines


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_lines(argv: Sequence[str], load_before: Sequence[float]) -> list[str]:
    """Where and when the numbers came from, and how busy the machine was meanwhile."""
    load_after = os.getloadavg()
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- command: `{shlex.join(argv)}`",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- RAM: {psutil.virtual_memory().total / 2**30:.1f} GiB",
        f"- Python {platform.python_version()} ({sys.implementation.name}), "
        f"Rasa {package_version('rasa')}, rasa-sdk {package_version('rasa-sdk')}, "
        f"{platform.system()} {platform.release()}",
        "- load average (1/5/15 min) at start: "
        + " / ".join(f"{v:.2f}" for v in load_before)
        + ", at end: " + " / ".join(f"{v:.2f}" for v in load_after),
    ]

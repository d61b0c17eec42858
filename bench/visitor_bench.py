"""Visitor-shaped load on the real servers against Rasa's moodbot, in alternating phases.

    .venv/bin/python bench/bench.py visitors           # writes the visitors block of RESULTS.md
    .venv/bin/python bench/bench.py visitors --quick   # smoke run, artifacts/bench/

Every target is started once and stays up; the phases then take turns (moodbot, embedded,
scaled 1 worker, scaled 2 workers, ...) so that a slow minute of the machine hits all of them
alike, and each ratio is a median over rounds of phases run back to back. Targets:

- ``moodbot``: `rasa init`'s assistant, as `rasa run` serves it (bench/moodbot.py);
- ``embedded``: the project as ./scripts/run starts it: one Rasa process, SQLite tracker
  store, SQLite lock store, one action server, Radicale; ``embedded-2w``: the same with two
  Sanic workers (``RASA_WORKERS=2 ./scripts/run``);
- ``scaled-1w`` / ``scaled-2w``: the scaled configuration (endpoints.scaled.yml: PostgreSQL
  tracker store, Redis lock store, leads on PostgreSQL) with one or two Sanic workers.

Loopback only; every phase is bounded by its message count and a deadline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psutil

from bench import report, visitors
from bench.moodbot import ensure_moodbot, running_moodbot

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- visitors:begin -->", "<!-- visitors:end -->"

# Targets of issue #15.
MIN_SCALED_RATIO = 1.5
MIN_EMBEDDED_RATIO = 1.2
MAX_P95_10_MS = 300.0
MAX_GROWTH = 1.3
MAX_CHECK_P50_MS = 25.0
MAX_RSS_MB = 1100.0
# Positions of the check shape that answer a question (typed or clicked).
CHECK_ANSWER_TURNS = (4, 5, 7, 8, 12, 13, 14, 15, 16, 17)


@dataclass
class Target:
    name: str
    url: str
    pids: list[int]  # Rasa server processes (workers are found as children)
    shape: visitors.Shape
    phases: list[visitors.Phase] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[visitors {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/bench.py visitors", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few messages, artifacts/bench/")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per level")
    parser.add_argument("--users", default="1,10,50", help="concurrent-user levels")
    parser.add_argument("--targets", default="moodbot,embedded,embedded-2w,scaled-1w,scaled-2w")
    parser.add_argument("--phase-deadline", type=float, default=240)
    parser.add_argument("--keep-alive", action="store_true",
                        help="reuse each visitor's connection (default: one per message)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    args.levels = [int(u) for u in args.users.split(",") if u.strip()]
    args.target_names = [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.quick:
        args.rounds = 1
        args.phase_deadline = min(args.phase_deadline, 60)
    return args


def conversations_for(users: int, shape: visitors.Shape, quick: bool) -> int:
    """Enough conversations per visitor for ~400 messages a phase (fewer with --quick).

    Bookings fill the practice calendar's Thursday afternoons, so that shape runs ~80.
    """
    wanted = 60 if quick else 80 if shape is visitors.BOOKING else 400
    return max(1, round(wanted / (users * len(shape.turns))))


def start_targets(stack: ExitStack, names: list[str], workdir: Path) -> list[Target]:
    """Start every target (they load their models side by side) and wait for all."""
    from burnout_assistant.apps.radicale_server import running_radicale
    from burnout_assistant.apps.replicas import ScaledStores, running_replicas
    from burnout_assistant.apps.training import model_path
    from devtools.servers import (
        fresh_postgres_databases,
        running_assistant,
        settings_for_local_run,
    )

    model = model_path(ROOT)
    if not model.exists():
        raise SystemExit(f"no model at {model}: run .venv/bin/python -m "
                         "burnout_assistant.apps.training first")
    targets: list[Target] = []
    tag = uuid.uuid4().hex[:8]
    for name in names:
        folder = workdir / name
        folder.mkdir(parents=True)
        if name == "moodbot":
            bot = stack.enter_context(running_moodbot(ensure_moodbot(), folder / "rasa.log"))
            targets.append(Target(name, bot.webhook_url, [bot.pid], visitors.MOODBOT))
            continue
        calendar = stack.enter_context(running_radicale(folder / "radicale"))
        settings = settings_for_local_run(folder, calendar, messages_per_minute=1000,
                                          limits__burst=1000)
        env = {"PRACTICE_SETTINGS": str(settings)}
        if name in ("embedded", "embedded-2w"):
            env["SANIC_WORKERS"] = "2" if name == "embedded-2w" else "1"
            server = stack.enter_context(running_assistant(model, folder, env))
            targets.append(Target(name, server.webhook_url, [server.rasa_pid], visitors.CHECK))
        elif name in ("scaled-1w", "scaled-2w"):
            dbs = stack.enter_context(fresh_postgres_databases(f"bench_{tag}{name[-2]}"))
            env["LEADS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{dbs['leads']}"
            from burnout_assistant.records.leads import LeadStore

            store = LeadStore(env["LEADS_DATABASE_URL"])
            store.migrate()
            store.dispose()
            stores = ScaledStores(tracker_db=dbs["tracker"],
                                  redis_key_prefix=f"bench{tag}{name[-2]}")
            replicas = stack.enter_context(running_replicas(
                model, folder, stores, count=1, env=env, rasa_workers=int(name[-2])))
            replica = replicas[0]
            assert replica.rasa is not None
            targets.append(Target(name, replica.webhook_url, [replica.rasa.pid], visitors.CHECK))
        else:
            raise SystemExit(f"unknown target {name!r}")
        log(f"started {name}")
    return targets


class Memory(NamedTuple):
    """One Rasa process's memory, MB."""

    rss: float
    pss: float
    files: float  # the part of the RSS that is mapped files (library code), shared and clean


def rasa_processes_mb(pids: list[int]) -> list[Memory]:
    """RSS, PSS and mapped files of each Rasa process (the server and its Sanic workers).

    PSS shares each page among the processes that map it: a forked worker's RSS leaves out
    library code its parent read at start, PSS counts every process's fair part.
    """
    found = []
    for pid in pids:
        proc = psutil.Process(pid)
        for p in [proc, *proc.children(recursive=True)]:
            try:
                info = p.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            found.append(Memory(info.rss / 1e6, info.pss / 1e6, info.shared / 1e6))
    return found


BIG_LIBRARY_BYTES = 20_000_000


def libraries_from_disk() -> int:
    """Drop the big shared libraries of the venv from the page cache; returns how many.

    Why: how much of a library a process maps depends on how its pages came into the page
    cache. Right after ``pip install`` wrote TensorFlow's 1 GB ``libtensorflow_cc.so.2``, the
    kernel maps it in large pieces and a Rasa server's RSS is ~160 MB higher (302 against
    142 MB of that one file; its anonymous memory is the same) than once the file has been
    read back from disk, as after any reboot (bench/PROFILE.md, round 4). Every target, the
    moodbot included, then starts from the same state whether the venv is an hour or a
    minute old. Only clean pages no process maps are dropped; nothing else is touched.
    """
    dropped = 0
    for path in Path(sys.prefix).rglob("*.so*"):
        try:
            if not path.is_file() or path.stat().st_size < BIG_LIBRARY_BYTES:
                continue
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            dropped += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return dropped


def run_plan(targets: list[Target], args: argparse.Namespace) -> list[visitors.Phase]:
    """Warm-up, then per level: rounds of one phase per target, back to back."""
    for target in targets:  # first TF calls, lazy graph parts, connection pools
        visitors.run(target.name, target.url, target.shape, 2, 1, args.phase_deadline,
                     args.keep_alive)
    extra: list[visitors.Phase] = []
    for users in args.levels:
        for number in range(args.rounds):
            for target in targets:
                each = conversations_for(users, target.shape, args.quick)
                phase = visitors.run(target.name, target.url, target.shape, users, each,
                                     args.phase_deadline, args.keep_alive)
                target.phases.append(phase)
                log(f"{users:>2} users, round {number + 1}, {target.name}: "
                    f"{phase.throughput:.1f} msg/s, p50 {phase.pct(50):.0f} ms, "
                    f"p95 {phase.pct(95):.0f} ms, {phase.errors} errors")
    project = [t for t in targets if t.name != "moodbot"]
    for target in project:  # the other visitor shapes, once per project target
        for shape, users in ((visitors.BOOKING, 1), (visitors.BOOKING, 10),
                             (visitors.LONG, 1), (visitors.LONG, 10)):
            each = conversations_for(users, shape, args.quick)
            phase = visitors.run(target.name, target.url, shape, users, each,
                                 args.phase_deadline, args.keep_alive)
            extra.append(phase)
            log(f"{shape.name} {users} users, {target.name}: {phase.throughput:.1f} msg/s, "
                f"p95 {phase.pct(95):.0f} ms, {phase.errors} errors")
    return extra


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def level_stats(target: Target, users: int) -> dict[str, float]:
    phases = [p for p in target.phases if p.users == users]
    return {"tput": median([p.throughput for p in phases]),
            "p50": median([p.pct(50) for p in phases]),
            "p95": median([p.pct(95) for p in phases]),
            "errors": sum(p.errors for p in phases)}


def growth(phase: visitors.Phase) -> float:
    """Median of the last five turns over the median of the same five messages first."""
    return (phase.pct(50, visitors.LAST_TURNS) / phase.pct(50, visitors.FIRST_TURNS))


def result_lines(targets: list[Target], extra: list[visitors.Phase],
                 rss: dict[str, list[Memory]],
                 args: argparse.Namespace, argv: list[str], load_before) -> list[str]:
    by_name = {t.name: t for t in targets}
    lines = ["### Machine", "", *report.machine_lines(
        ["bench/bench.py", "visitors", *argv], load_before)]
    if args.note:
        lines.append(f"- note: {args.note}")
    lines += ["", "### Check-heavy traffic against the moodbot", "",
              f"Shapes: project targets play `check` ({visitors.CHECK.about}, "
              f"{len(visitors.CHECK.turns)} turns); the moodbot plays its own "
              f"({len(visitors.MOODBOT.turns)} turns). Medians of {args.rounds} alternating "
              "rounds; ratio = msg/s over the moodbot's at the same level; "
              + ("each visitor keeps its connection." if args.keep_alive
                 else "a new connection per message (as many visitors would spread over the "
                      "Sanic workers)."), "",
              "| users | target | msg/s | p50 ms | p95 ms | errors | ratio to moodbot |",
              "|---|---|---|---|---|---|---|"]
    for users in args.levels:
        base = level_stats(by_name["moodbot"], users)["tput"] if "moodbot" in by_name else None
        for target in targets:
            s = level_stats(target, users)
            lines.append(f"| {users} | {target.name} | {s['tput']:.1f} | {s['p50']:.0f} | "
                         f"{s['p95']:.0f} | {s['errors']} | "
                         f"{report.fmt(report.ratio(s['tput'], base), '{:.2f}x')} |")
    lines += ["", "### Other visitor shapes", "",
              "| shape | users | target | msg/s | p50 ms | p95 ms | errors |",
              "|---|---|---|---|---|---|---|"]
    for phase in extra:
        lines.append(f"| {phase.shape} | {phase.users} | {phase.target} | "
                     f"{phase.throughput:.1f} | {phase.pct(50):.0f} | {phase.pct(95):.0f} | "
                     f"{phase.errors} |")
    lines += ["", "### Latency by turn (long conversation, 1 user, p50 ms)", ""]
    longs = [p for p in extra if p.shape == "long" and p.users == 1]
    if longs:
        lines += ["| turn | " + " | ".join(p.target for p in longs) + " |",
                  "|---|" + "---|" * len(longs)]
        for turn in range(1, len(visitors.LONG.turns) + 1):
            cells = [f"{visitors.percentile(p.by_turn().get(turn, []), 50):.0f}" for p in longs]
            lines.append(f"| {turn} | " + " | ".join(cells) + " |")
    lines += ["", "### Memory after the load", "",
              "Big shared libraries are read from disk, as after a reboot "
              "(`libraries_from_disk`); \"of it files\" is mapped library code, shared and "
              "clean.", "",
              "| target | RSS per Rasa process (MB) | of it files (MB) | PSS per Rasa process "
              "(MB) |",
              "|---|---|---|---|"]
    for name, values in rss.items():
        lines.append(f"| {name} | {', '.join(f'{m.rss:.0f}' for m in values)} | "
                     f"{', '.join(f'{m.files:.0f}' for m in values)} | "
                     f"{', '.join(f'{m.pss:.0f}' for m in values)} |")
    lines += ["", "### Targets (issue #15)", "", "| target | measured | result |", "|---|---|---|"]
    for row in target_rows(by_name, longs, rss):
        lines.append(row)
    return lines


def target_rows(by_name: dict[str, Target], longs: list[visitors.Phase],
                rss: dict[str, list[Memory]]) -> list[str]:
    rows = []

    def row(what: str, measured: float, ok: bool, fmt: str) -> None:
        shown = report.fmt(measured, fmt)
        rows.append(f"| {what} | {shown} | {'PASS' if ok else 'FAIL'} |")

    moodbot = level_stats(by_name["moodbot"], 10)["tput"] if "moodbot" in by_name else None
    for name, bound in (("scaled-2w", MIN_SCALED_RATIO), ("embedded", MIN_EMBEDDED_RATIO)):
        if name in by_name and moodbot:
            value = report.ratio(level_stats(by_name[name], 10)["tput"], moodbot)
            row(f"check, 10 users: {name} / moodbot >= {bound}", value, value >= bound,
                "{:.2f}x")
    for name in ("scaled-2w", "embedded", "embedded-2w"):
        if name in by_name:
            value = level_stats(by_name[name], 10)["p95"]
            row(f"check, 10 users: {name} p95 <= {MAX_P95_10_MS:.0f} ms", value,
                value <= MAX_P95_10_MS, "{:.0f} ms")
    for phase in longs:
        value = growth(phase)
        row(f"40-turn conversation, {phase.target}: last five / first five <= {MAX_GROWTH}",
            value, value <= MAX_GROWTH, "{:.2f}x")
    for name in ("embedded", "scaled-2w"):
        if name in by_name:
            ones = [p for p in by_name[name].phases if p.users == 1]
            value = median([p.pct(50, CHECK_ANSWER_TURNS) for p in ones])
            row(f"check answer p50, 1 user, {name} <= {MAX_CHECK_P50_MS:.0f} ms", value,
                value <= MAX_CHECK_P50_MS, "{:.0f} ms")
    for name, values in rss.items():
        if name != "moodbot" and values:
            worst = max(m.rss for m in values)
            row(f"RSS per Rasa process, {name} <= {MAX_RSS_MB:.0f} MB", worst,
                worst <= MAX_RSS_MB, "{:.0f} MB")
    return rows


def write_block(path: Path, body: list[str]) -> None:
    block = "\n".join([BEGIN, *body, END])
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[2:] if argv is None else argv)
    args = parse_args(argv)
    load_before = os.getloadavg()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    log(f"{libraries_from_disk()} big shared libraries will be read from disk")
    with tempfile.TemporaryDirectory(prefix="visitors-") as tmp, ExitStack() as stack:
        targets = start_targets(stack, args.target_names, Path(tmp))
        extra = run_plan(targets, args)
        rss = {t.name: rasa_processes_mb(t.pids) for t in targets}
        body = result_lines(targets, extra, rss, args, argv, load_before)
    print("\n".join(body))
    out = args.out or (ROOT / "artifacts" / "bench" / "RESULTS-visitors-quick.md" if args.quick
                       else ROOT / "bench" / "RESULTS.md")
    write_block(out, body)
    log(f"written to {out}")
    return 0

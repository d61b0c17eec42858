"""Where the time of one turn goes: NLU, policies, action-server round trips, tracker store.

    .venv/bin/python bench/turn_profile.py [--model M] [--conversations 5] [--cprofile]

Runs the Rasa agent in this process the way ``rasa run`` does (``load_agent`` with an
endpoints file: SQLite tracker store, the real action server, a real Radicale behind it) and
wraps the few methods a turn spends its time in with timers: ``MessageProcessor.parse_message``
(NLU pipeline), ``_predict_next_with_tracker`` (policy ensemble, once per predicted action),
``EndpointConfig.request`` (every action-server round trip, with the JSON size posted) and
``SQLTrackerStore`` retrieve/save, the reply check of ``RemoteAction`` and every node of the
model's graph (each NLU component and policy). Then it times the same conversation from outside
over HTTP (``POST /model/parse`` with the API token, and the website webhook) to show what the
HTTP and channel layers add. ``--cprofile`` also writes a cProfile of the measured turns;
``--experiment`` applies a what-if change to this in-process agent to size a proposal first.
Findings: bench/PROFILE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import logging
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not __package__:  # run as a script: import the bench package from the project root
    sys.path[0] = str(ROOT)

from bench.load import CONVERSATION, percentile  # noqa: E402
from bench.visitors import SHAPES, Shape  # noqa: E402
from burnout_assistant.apps.radicale_server import running_radicale  # noqa: E402
from devtools.servers import (  # noqa: E402
    free_port,
    running_assistant,
    settings_for_local_run,
    wait_for_http,
)

OUT = ROOT / "artifacts" / "bench"


class Timers:
    """Accumulated wall time and call count per phase, reset per turn."""

    def __init__(self) -> None:
        self.turns: list[dict[str, tuple[float, int]]] = []
        self.current: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        self.posted_bytes: list[tuple[int, int]] = []  # (whole JSON body, its domain part)
        self.speedups = False  # whether channels.rasa_speedups was installed

    def add(self, phase: str, seconds: float) -> None:
        self.current[phase][0] += seconds
        self.current[phase][1] += 1

    def end_turn(self) -> None:
        self.turns.append({k: (v[0], v[1]) for k, v in self.current.items()})
        self.current = defaultdict(lambda: [0.0, 0])


def instrument(timers: Timers) -> None:
    """Wrap Rasa's methods with timers (this process only)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import EndpointConfig

    def async_timed(owner: type, name: str, phase: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                timers.add(phase, time.perf_counter() - started)

        setattr(owner, name, wrapper)

    def sync_timed(owner: type, name: str, phase: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.add(phase, time.perf_counter() - started)

        setattr(owner, name, wrapper)

    async_timed(MessageProcessor, "parse_message", "nlu (parse_message)")
    sync_timed(MessageProcessor, "_predict_next_with_tracker", "policies (per prediction)")
    async_timed(SQLTrackerStore, "retrieve", "tracker store retrieve")
    async_timed(SQLTrackerStore, "retrieve_full_tracker", "tracker store retrieve")
    async_timed(SQLTrackerStore, "save", "tracker store save")
    async_timed(EndpointConfig, "request", "action server round trip")
    sync_timed(RemoteAction, "_action_call_format", "action request body (tracker+domain)")
    sync_timed(RemoteAction, "_validate_action_result", "action response jsonschema check")
    async_timed(TemplatedNaturalLanguageGenerator, "generate", "bot responses (NLG)")
    async_timed(MessageProcessor, "run_action_extract_slots", "slot extraction")

    original_request = EndpointConfig.request

    @functools.wraps(original_request)
    async def sized(self, *args, **kwargs):
        body = kwargs.get("json")
        if isinstance(body, dict):
            domain = len(json.dumps(body.get("domain", {}), default=str))
            timers.posted_bytes.append((len(json.dumps(body, default=str)), domain))
        return await original_request(self, *args, **kwargs)

    EndpointConfig.request = sized


NESTED = "  · "  # prefix of graph-node phases: already inside the NLU and policy phases


def instrument_graph(timers: Timers) -> None:
    """Time every node of the model's graphs (each NLU component, each policy), by node name.

    Nodes bind their component's function when the model loads, so the timer sits on
    ``GraphNode.__call__``, which every node run goes through.
    """
    from rasa.engine.graph import GraphNode

    original = GraphNode.__call__

    @functools.wraps(original)
    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            timers.add(f"{NESTED}{self._node_name}", time.perf_counter() - started)

    GraphNode.__call__ = timed


EXPERIMENTS = {
    "sqlite-wal": "tracker SQLite in WAL mode with synchronous=NORMAL",
    "selective-domain": "send the domain only to the form validators (enable_selective_domain)",
}


def apply_experiments(agent, names: list[str]) -> None:
    """What-if changes applied to this in-process agent only, to size a proposal first."""
    if "sqlite-wal" in names:
        import sqlalchemy as sa

        store = agent.tracker_store
        store = getattr(store, "_tracker_store", store)

        def pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        sa.event.listen(store.engine, "connect", pragmas)
        store.engine.dispose()  # new connections get the pragmas
    if "selective-domain" in names:
        agent.action_endpoint.kwargs["enable_selective_domain"] = True
        domain = agent.processor.domain
        domain._actions_which_explicitly_need_domain = [
            a for a in domain.user_actions if a.startswith("validate_")]


def start_action_server(workdir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    from burnout_assistant.apps.replicas import RASA_CLI

    log = (workdir / "actions.log").open("w")
    proc = subprocess.Popen(
        [*RASA_CLI, "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
    )
    wait_for_http(f"http://127.0.0.1:{port}/health", proc)
    return proc, f"http://127.0.0.1:{port}/webhook"


FAQ_SHAPE = Shape("faq", CONVERSATION, "the earlier bench conversation: mostly FAQ questions")


async def run_turns(
    model: Path, endpoints: Path, conversations: int, profiler, experiments: list[str],
    shape: Shape = FAQ_SHAPE,
) -> Timers:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Log like ``rasa run`` without --debug: debug logging would be measured as turn time.
    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    # The server's patches, as `rasa run` installs them by importing our channels (before the
    # model loads: one of them acts on loading). RASA_SPEEDUPS=off profiles stock Rasa.
    from channels.rasa_speedups import install

    speedups = install()
    agent = await load_agent(str(model), endpoints=AvailableEndpoints.read_endpoints(endpoints))
    apply_experiments(agent, experiments)
    timers = Timers()
    timers.speedups = speedups
    instrument(timers)
    instrument_graph(timers)

    async def conversation(measure: bool) -> None:
        sender = f"profile-{uuid.uuid4().hex[:8]}"
        replies: list[dict] = []
        for index in range(len(shape.turns)):
            output = CollectingOutputChannel()
            message = UserMessage(shape.text(index, replies), output, sender)
            if measure and profiler:
                profiler.enable()
            started = time.perf_counter()
            await agent.handle_message(message)
            timers.add("turn total (in-process)", time.perf_counter() - started)
            replies = output.messages
            if measure and profiler:
                profiler.disable()
            if measure:
                timers.end_turn()
            else:
                timers.current.clear()
                timers.posted_bytes.clear()

    await conversation(measure=False)  # warm-up: lazy graph loading, first TF calls
    for _ in range(conversations):
        await conversation(measure=True)
    return timers


def summarise(timers: Timers, shape: Shape = FAQ_SHAPE) -> list[str]:
    turns = len(timers.turns)
    every = {p for t in timers.turns for p in t}
    spent = {p: sum(t.get(p, (0.0, 0))[0] for t in timers.turns) for p in every}
    phases = sorted((p for p in every if not p.startswith(NESTED)), key=lambda p: -spent[p])
    phases += sorted((p for p in every if p.startswith(NESTED) and spent[p] > 0),
                     key=lambda p: -spent[p])
    total = sum(t.get("turn total (in-process)", (0, 0))[0] for t in timers.turns)
    lines = [f"{turns} turns measured (in-process agent, SQLite tracker, real action server)",
             "| phase | ms per turn (mean) | calls per turn | share of turn | p95 ms per turn |",
             "|---|---|---|---|---|"]
    for phase in phases:
        per_turn = [t.get(phase, (0.0, 0))[0] * 1000 for t in timers.turns]
        calls = sum(t.get(phase, (0.0, 0))[1] for t in timers.turns) / turns
        share = sum(per_turn) / 1000 / total if total else 0
        lines.append(f"| {phase} | {sum(per_turn) / turns:.1f} | {calls:.2f} | "
                     f"{share:.0%} | {percentile(per_turn, 95):.1f} |")
    known = [p for p in phases if p != "turn total (in-process)" and not p.startswith(NESTED)]
    rest = [t.get("turn total (in-process)", (0, 0))[0] - sum(t.get(p, (0, 0))[0] for p in known)
            for t in timers.turns]
    lines.append(f"| rest (rule matching outside policies, events, tracker copies) | "
                 f"{sum(rest) * 1000 / turns:.1f} | | {sum(rest) / total:.0%} | |")
    if timers.posted_bytes:
        sizes = [whole for whole, _ in timers.posted_bytes]
        domain = [part for _, part in timers.posted_bytes]
        lines.append(f"action server posts: {len(sizes)}, JSON body mean "
                     f"{sum(sizes) / len(sizes) / 1000:.1f} kB (domain part "
                     f"{sum(domain) / len(domain) / 1000:.1f} kB), max {max(sizes) / 1000:.1f} kB")
    length = len(shape.turns)
    lines.append("turn time by position (mean ms; action round trips; ms in tracker retrieve, "
                 "policies, save, NLU):")
    for i, turn in enumerate(shape.turns):
        mine = [t for j, t in enumerate(timers.turns) if j % length == i]

        def ms(phase: str, mine: list = mine) -> float:
            return sum(t.get(phase, (0, 0))[0] for t in mine) * 1000 / len(mine)

        trips = sum(t.get("action server round trip", (0, 0))[1] for t in mine) / len(mine)
        label = turn if isinstance(turn, str) else f"<{turn.__name__}>"
        lines.append(
            f"  {i + 1:2d} {ms('turn total (in-process)'):6.1f} ms, {trips:.1f} trips, "
            f"retrieve {ms('tracker store retrieve'):4.1f}, policies "
            f"{ms('policies (per prediction)'):4.1f}, save {ms('tracker store save'):4.1f}, "
            f"nlu {ms('nlu (parse_message)'):4.1f}  {label!r}")
    return lines


def http_timings(model: Path, workdir: Path, env: dict[str, str], rounds: int) -> list[str]:
    """The same texts over HTTP: NLU alone (/model/parse) and a full turn (web webhook)."""
    import urllib.request

    parse_ms: list[float] = []
    turn_ms: list[float] = []
    with running_assistant(model, workdir, env) as assistant:
        parse_url = f"{assistant.rasa_url}/model/parse?token={assistant.auth_token}"
        for n in range(rounds + 1):
            sender = f"profile-http-{uuid.uuid4().hex[:8]}"
            for text in CONVERSATION:
                body = json.dumps({"text": text}).encode()
                request = urllib.request.Request(
                    parse_url, body, {"Content-Type": "application/json"})
                started = time.perf_counter()
                urllib.request.urlopen(request, timeout=60).read()
                parsed = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                assistant.send(sender, text)
                turned = (time.perf_counter() - started) * 1000
                if n:  # the first round is the warm-up
                    parse_ms.append(parsed)
                    turn_ms.append(turned)
    return [
        f"over HTTP ({len(turn_ms)} messages): POST /model/parse p50 "
        f"{percentile(parse_ms, 50):.1f} ms, p95 {percentile(parse_ms, 95):.1f} ms; "
        f"webhook turn p50 {percentile(turn_ms, 50):.1f} ms, p95 {percentile(turn_ms, 95):.1f} ms",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="default: the project's cached model")
    parser.add_argument("--conversations", type=int, default=5)
    parser.add_argument("--shape", choices=["faq", *sorted(SHAPES)], default="faq",
                        help="the conversation played (bench/visitors.py); faq: the old one")
    parser.add_argument("--cprofile", action="store_true", help="also profile with cProfile")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP timings")
    parser.add_argument("--experiment", action="append", default=[], choices=sorted(EXPERIMENTS),
                        help="what-if change for the in-process agent (repeatable): "
                        + "; ".join(f"{k}: {v}" for k, v in EXPERIMENTS.items()))
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.model is None:
        from burnout_assistant.apps.training import model_path

        args.model = model_path(ROOT)
        if not args.model.exists():
            raise SystemExit(f"no model at {args.model}; run ./scripts/test or pass --model")
    profiler = cProfile.Profile() if args.cprofile else None
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        workdir = Path(tmp)
        with running_radicale(workdir / "radicale") as calendar_url:
            settings = settings_for_local_run(workdir, calendar_url, messages_per_minute=1000)
            env = {"PRACTICE_SETTINGS": str(settings)}
            os.environ.update(env)
            actions, action_url = start_action_server(workdir, env)
            try:
                endpoints = workdir / "endpoints.yml"
                endpoints.write_text(
                    f'action_endpoint:\n  url: "{action_url}"\n'
                    f'tracker_store:\n  type: deploy.tracker_store.CachedSQLTrackerStore\n'
                    f'  dialect: sqlite\n'
                    f'  db: "{workdir}/tracker.db"\n')
                shape = FAQ_SHAPE if args.shape == "faq" else SHAPES[args.shape]
                timers = asyncio.run(run_turns(args.model, endpoints, args.conversations,
                                               profiler, args.experiment, shape))
            finally:
                actions.terminate()
                actions.wait(timeout=20)
            lines = [f"model: {args.model.name}; server patches (rasa_speedups): "
                     f"{'on' if timers.speedups else 'off'}; "
                     f"experiments: {args.experiment or 'none'}",
                     *summarise(timers, shape)]
            if not args.no_http:
                serve = workdir / "serve"
                serve.mkdir()
                lines += http_timings(args.model, serve, env, args.conversations)
    print("\n".join(lines))
    if profiler:
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / f"turns-{args.model.name.split('.')[0]}.prof"
        profiler.dump_stats(target)
        for key in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(key).print_stats(30)
            print(f"--- cProfile top 30 by {key} (full profile: {target})")
            print(text.getvalue()[-9000:])


if __name__ == "__main__":
    main()

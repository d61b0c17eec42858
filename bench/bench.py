"""Benchmark: the project's configuration against Rasa's default, one command, loopback only.

    .venv/bin/python bench/bench.py            # full run, writes bench/RESULTS.md
    .venv/bin/python bench/bench.py --quick    # smoke run (epochs capped, few messages)
    .venv/bin/python bench/bench.py visitors   # visitor-shaped traffic vs the moodbot
                                               # (bench/visitor_bench.py)

Both configurations are trained one after the other on the same seeded 80/20 split of
data/nlu (plus domain.yml and data/rules), each with a cold Rasa cache; that wall time is the
training time. Each model is then scored on the held-out part (intent macro-F1 with faq/* as
"faq", faq response accuracy) and on tests/nlu/test_set.yml, and served for real (action server,
Rasa server with a SQLite tracker store, Radicale) to visitor-shaped traffic over the website's
REST-shaped channel: one user, then 10 and 50 concurrent users, each phase stopped at a deadline.
The servers' RSS is read after the load. Everything runs sequentially so the two configurations
never compete for the CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not __package__:  # run as a script: import the bench package, not this file, as ``bench``
    sys.path[0] = str(ROOT)

from bench import accuracy, load, report  # noqa: E402
from bench.configuration import ensure_default_config, quick_config_text  # noqa: E402
from bench.split import (  # noqa: E402
    SEED,
    TEST_FRACTION,
    project_examples,
    split_examples,
    write_split_project,
)
from devtools.evaluation import load_examples  # noqa: E402

BENCH = ROOT / "bench"
DEFAULT_CONFIG = BENCH / "configs" / "rasa_default.yml"
MODEL_CACHE = ROOT / "artifacts" / "bench" / "models"
TEST_SET = ROOT / "tests" / "nlu" / "test_set.yml"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
QUICK_EPOCHS = 2
KEEP_MODELS = 8
# Per-sender limit of the website channel: the highest the settings allow. A simulated visitor
# sends ten messages, so the limit never refuses bench traffic.
MESSAGES_PER_MINUTE = 1000


@dataclass
class Outcome:
    """Everything measured for one configuration."""

    name: str
    config: Path
    summary: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def shown(path: Path) -> str:
    """``path`` relative to the project when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train the project's and Rasa's default configuration on the same split, "
        "then compare accuracy, training time, latency, throughput and memory (loopback only).",
    )
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: epochs capped at {QUICK_EPOCHS}, few messages, "
                        "results to artifacts/bench/RESULTS-quick.md")
    parser.add_argument("--config", action="append", default=[], metavar="NAME=PATH",
                        help="a configuration to compare (repeatable); default: "
                        "project=config.yml and rasa_default=bench/configs/rasa_default.yml")
    parser.add_argument("--baseline", default="rasa_default",
                        help="the configuration the targets are ratios against")
    parser.add_argument("--single", type=int, default=100, help="messages for the 1-user run")
    parser.add_argument("--users", default="10,50", help="concurrent-user levels, comma-separated")
    parser.add_argument("--each", type=int, default=20, help="messages per concurrent user")
    parser.add_argument("--phase-deadline", type=float, default=180,
                        help="seconds after which a load phase stops sending")
    parser.add_argument("--train-timeout", type=float, default=1200,
                        help="seconds after which one training is killed")
    parser.add_argument("--skip-load", action="store_true",
                        help="only train and score (to try configurations quickly)")
    parser.add_argument("--reuse-models", action="store_true",
                        help="reuse a model trained earlier on the same inputs (and its time)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the held-out split")
    parser.add_argument("--test-fraction", type=float, default=TEST_FRACTION)
    parser.add_argument("--out", type=Path, help="Markdown result file (default: "
                        "bench/RESULTS.md, or artifacts/bench/RESULTS-quick.md with --quick)")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for every server (all configurations alike), "
                        "e.g. MALLOC_ARENA_MAX=2")
    parser.add_argument("--stock-all", action="store_true",
                        help="run every configuration on stock Rasa (RASA_SPEEDUPS=off), to "
                             "separate the configuration's effect from the server patch")
    parser.add_argument("--note", default="", help="a line for the result file, e.g. 'noisy'")
    args = parser.parse_args(argv)
    if args.quick:
        args.single, args.each = min(args.single, 10), min(args.each, 3)
        args.phase_deadline = min(args.phase_deadline, 60)
    args.levels = [int(u) for u in args.users.split(",") if u.strip()]
    return args


def configurations(specs: list[str]) -> dict[str, Path]:
    """NAME=PATH pairs; by default the project's config.yml and Rasa's default."""
    if not specs:
        return {"rasa_default": ensure_default_config(DEFAULT_CONFIG),
                "project": ROOT / "config.yml"}
    ensure_default_config(DEFAULT_CONFIG)
    configs: dict[str, Path] = {}
    for spec in specs:
        name, _, path = spec.partition("=")
        if not name or not path:
            raise SystemExit(f"--config expects NAME=PATH, got {spec!r}")
        configs[name] = (ROOT / path).resolve() if not Path(path).is_absolute() else Path(path)
        if not configs[name].is_file():
            raise SystemExit(f"--config {name}: no such file {configs[name]}")
    return configs


def training_key(config_text: str, project: Path) -> str:
    """Hash of what the training reads, to reuse a model trained on the same inputs."""
    from burnout_assistant.language.spacy_base import DEFAULT_TARGET, MARKER

    digest = hashlib.sha256(config_text.encode())
    files = [project / "domain.yml", *sorted((project / "data").rglob("*.yml"))]
    marker = ROOT / DEFAULT_TARGET / MARKER
    for path in [*files, *([marker] if marker.exists() else [])]:
        digest.update(path.read_bytes())
    digest.update(report.package_version("rasa").encode())
    return digest.hexdigest()[:12]


def train(name: str, config_text: str, project: Path, timeout: float, reuse: bool) -> tuple[
    Path, float, str
]:
    """Train on the split with a cold cache; returns the model, seconds and a note."""
    key = training_key(config_text, project)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    model, meta = MODEL_CACHE / f"{name}-{key}.tar.gz", MODEL_CACHE / f"{name}-{key}.json"
    if reuse and model.exists() and meta.exists():
        recorded = json.loads(meta.read_text())
        return model, recorded["seconds"], f"model reused (trained {recorded['date']})"
    config = project / f"config-{name}.yml"  # Rasa writes its auto-configuration into it
    config.write_text(config_text)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_CACHE_DIRECTORY": cache}
        cmd = [sys.executable, "-m", "rasa", "train", "--config", str(config),
               "--domain", str(project / "domain.yml"), "--data", str(project / "data"),
               "--out", str(MODEL_CACHE), "--fixed-model-name", model.name[: -len(".tar.gz")]]
        train_log = MODEL_CACHE / f"{name}-{key}.log"
        started = time.monotonic()
        try:
            with train_log.open("w") as out:
                subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                               check=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"training {name} overran {timeout:g} s; see {train_log}") from None
        except subprocess.CalledProcessError as error:
            raise SystemExit(
                f"training {name} failed (exit {error.returncode}); see {train_log}") from None
        seconds = time.monotonic() - started
    meta.write_text(json.dumps({"seconds": round(seconds, 1), "date": time.strftime("%F %T")}))
    prune_cache(keep=KEEP_MODELS)
    return model, seconds, ""


def prune_cache(keep: int) -> None:
    """Only the newest few trained models stay (each is 60-110 MB)."""
    models = sorted(MODEL_CACHE.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-keep]:
        for path in (old, old.with_name(old.name.replace(".tar.gz", ".json")),
                     old.with_name(old.name.replace(".tar.gz", ".log"))):
            path.unlink(missing_ok=True)


def score_model(name: str, model: Path, heldout: list, test_set: list) -> dict[str, float]:
    """Held-out and test-set scores; the predictions are kept in artifacts/bench for reading."""
    texts = [e.text for e in heldout] + [e.text for e in test_set]
    predicted, rss = accuracy.predict(model, texts)
    rows = [{"text": e.text, "gold": e.label, "intent": p.intent, "topic": p.selector_key}
            for e, p in zip([*heldout, *test_set], predicted, strict=True)]
    (MODEL_CACHE.parent / f"predictions-{name}.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=0))
    fallbacks = sum(p.intent == "nlu_fallback" for p in predicted[: len(heldout)])
    held = accuracy.heldout_accuracy([e.label for e in heldout], predicted[: len(heldout)])
    return {
        "intent_f1": held.intent_macro_f1,
        "faq_accuracy": held.faq_accuracy,
        "selector_accuracy": held.selector_accuracy,
        "rss_agent": rss,
        "fallback_rate": fallbacks / len(heldout) if heldout else float("nan"),
        "test_set_f1": accuracy.full_label_f1(
            [e.label for e in test_set], predicted[len(heldout):]
        ) if test_set else float("nan"),
    }


def serve_and_load(model: Path, workdir: Path, args: argparse.Namespace, stock: bool) -> tuple[
    dict[str, float], list[str]
]:
    """Start the real servers for ``model``, run every load phase, read RSS; all bounded."""
    from burnout_assistant.apps.radicale_server import running_radicale
    from devtools.servers import running_assistant, settings_for_local_run

    summary: dict[str, float] = {}
    notes: list[str] = []
    workdir.mkdir(parents=True)
    with running_radicale(workdir / "radicale") as calendar_url:
        settings = settings_for_local_run(
            workdir, calendar_url, messages_per_minute=MESSAGES_PER_MINUTE
        )
        env = {"PRACTICE_SETTINGS": str(settings), **dict(
            kv.split("=", 1) for kv in args.server_env)}
        if stock:  # Rasa as shipped: without channels/rasa_speedups.py
            env["RASA_SPEEDUPS"] = "off"
        with running_assistant(model, workdir, env) as assistant:
            url = assistant.webhook_url
            warm = load.run_phase(url, 1, len(load.CONVERSATION), args.phase_deadline)
            log(f"  warm-up: {warm.messages} msgs, {warm.errors} errors")
            phases = {1: load.run_phase(url, 1, args.single, args.phase_deadline)}
            log(f"  1 user: {phases[1].messages} msgs, p95 {phases[1].pct(95):.0f} ms")
            for users in args.levels:
                phases[users] = load.run_phase(url, users, args.each, args.phase_deadline)
                log(f"  {users} users: {phases[users].throughput:.1f} msg/s, "
                    f"p95 {phases[users].pct(95):.0f} ms, {phases[users].errors} errors")
            summary["rss_rasa"] = load.rss_mb(assistant.rasa_pid)
            summary["rss_action"] = load.rss_mb(assistant.action_pid)
    summary["p50_1"], summary["p95_1"] = phases[1].pct(50), phases[1].pct(95)
    for users in args.levels:
        summary[f"tput_{users}"] = phases[users].throughput
        summary[f"p95_{users}"] = phases[users].pct(95)
    summary["errors"] = sum(p.errors for p in phases.values()) + warm.errors
    for users, phase in phases.items():
        if phase.hit_deadline:
            notes.append(f"{users}-user phase stopped at the deadline after {phase.messages} msgs")
    summary["messages"] = sum(p.messages for p in phases.values())
    return summary, notes


def write_results(path: Path, body: list[str]) -> None:
    """Replace the generated block in ``path``, keeping hand-written text around it."""
    block = "\n".join([BEGIN, *body, END])
    if path.exists() and BEGIN in (text := path.read_text()) and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = "# Benchmark results\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["visitors"]:
        from bench import visitor_bench

        return visitor_bench.main(given[1:])
    args = parse_args(argv)
    load_before = os.getloadavg()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # nothing leaves the machine
    configs = configurations(args.config)
    if args.baseline not in configs:
        raise SystemExit(f"baseline {args.baseline!r} is not among {sorted(configs)}")
    split = split_examples(project_examples(ROOT), args.test_fraction, args.seed)
    test_set = load_examples(TEST_SET) if TEST_SET.exists() else []
    log(f"split: {len(split.train)} train / {len(split.test)} held-out utterances "
        f"(seed {args.seed}); test set {len(test_set)}")
    outcomes = {name: Outcome(name, path) for name, path in configs.items()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = write_split_project(ROOT, Path(tmp) / "project", split)
        models: dict[str, Path] = {}
        for name, outcome in outcomes.items():  # one after the other, never in parallel
            text = outcome.config.read_text()
            if args.quick:
                text = quick_config_text(text, QUICK_EPOCHS)
            log(f"training {name} ({shown(outcome.config)})")
            models[name], seconds, note = train(
                name, text, project, args.train_timeout, args.reuse_models
            )
            outcome.summary["train_s"] = seconds
            outcome.notes += [note] if note else []
            log(f"  {seconds:.0f} s {note}")
        for name, outcome in outcomes.items():
            log(f"scoring {name}")
            outcome.summary.update(score_model(name, models[name], split.test, test_set))
            log(f"  intent macro-F1 {outcome.summary['intent_f1']:.3f}, "
                f"faq {outcome.summary['faq_accuracy']:.3f}")
        if not args.skip_load:
            for name, outcome in outcomes.items():
                log(f"serving {name}")
                summary, notes = serve_and_load(
                    models[name], Path(tmp) / f"serve-{name}", args,
                    stock=args.stock_all or name == args.baseline)
                outcome.summary.update(summary)
                outcome.notes += notes
    body = result_lines(args, outcomes, len(split.train), len(split.test), len(test_set),
                        load_before, argv)
    print("\n".join(body))
    out = args.out or (ROOT / "artifacts" / "bench" / "RESULTS-quick.md" if args.quick
                       else BENCH / "RESULTS.md")
    write_results(out, body)
    log(f"written to {out}")
    return 0


def result_lines(args, outcomes, n_train, n_test, n_test_set, load_before, argv) -> list[str]:
    summaries = {name: o.summary for name, o in outcomes.items()}
    levels = [] if args.skip_load else args.levels
    lines = ["## Machine", "", *report.machine_lines(["bench/bench.py", *(
        argv if argv is not None else sys.argv[1:])], load_before)]
    if args.note:
        lines.append(f"- note: {args.note}")
    lines += [
        "", "## Setup", "",
        f"- data: {n_train} train / {n_test} held-out utterances (stratified per label, "
        f"seed {args.seed}); independent test set: {n_test_set} utterances",
        f"- load: warm-up conversation, then 1 user x {args.single} messages, then "
        f"{', '.join(map(str, args.levels))} concurrent users x {args.each} messages each; "
        f"ten-message visitor conversations over POST /webhooks/web/webhook; "
        f"phase deadline {args.phase_deadline:g} s"
        + (f"; server environment: {', '.join(args.server_env)}" if args.server_env else ""),
        f"- server: `{args.baseline}` on stock Rasa 3.6.21 (`RASA_SPEEDUPS=off`); "
        + ("every configuration on stock Rasa too (--stock-all)" if args.stock_all else
           "the others with the project's server patch (channels/rasa_speedups.py)"),
        "- configurations: " + ", ".join(
            f"`{n}` = {shown(o.config)}" for n, o in outcomes.items()),
    ]
    if args.quick:
        lines.append(f"- QUICK smoke run: epochs capped at {QUICK_EPOCHS}; accuracy, training "
                     "time and throughput here are not comparable to a full run")
    lines += ["", "## Results", "", *report.side_by_side(summaries, args.baseline, levels), ""]
    for name in summaries:
        if name != args.baseline:
            checks = report.check_targets(summaries[name], summaries[args.baseline], levels)
            lines += [*report.target_table(name, checks), ""]
    notes = [f"- `{n}`: {note}" for n, o in outcomes.items() for note in o.notes]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())

"""Train the Rasa model only when its inputs changed.

The model file is named after a hash of everything training reads (config, domain, data, the
spaCy base it was built on and the Rasa version), so the run command, the test session and CI
all reuse one model per input state instead of spending minutes on 2 cores each time.
Runs ``rasa train`` as a subprocess: this package stays free of Rasa imports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from burnout_assistant.language.spacy_base import DEFAULT_TARGET, MARKER

MODEL_PREFIX = "assistant-"
KEEP_MODELS = 3
# Package modules whose code shapes what a training run produces (the crisis classifier).
TRAINED_CODE = ("language/crisis_corpus.py", "language/crisis_detector.py", "language/safety.py",
                "language/incoming.py")


def training_inputs(root: Path) -> list[Path]:
    """Every file ``rasa train`` reads, in a stable order."""
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(p for p in (root / "data").rglob("*") if p.suffix in {".yml", ".yaml"})
    # The custom NLU components and the code they train with are part of the model too.
    files += sorted((root / "nlu_components").glob("*.py"))
    files += [p for p in (root / "burnout_assistant" / n for n in TRAINED_CODE) if p.exists()]
    marker = root / DEFAULT_TARGET / MARKER
    if marker.exists():
        files.append(marker)
    return files


def inputs_hash(root: Path, files: Iterable[Path] | None = None, extra: str = "") -> str:
    """Short sha256 over the inputs' relative paths and contents (plus ``extra``)."""
    digest = hashlib.sha256(extra.encode())
    for path in files if files is not None else training_inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _rasa_version() -> str:
    try:
        from importlib.metadata import version

        return version("rasa")
    except Exception:
        return "unknown"


def model_path(root: Path) -> Path:
    return root / "models" / f"{MODEL_PREFIX}{inputs_hash(root, extra=_rasa_version())}.tar.gz"


def ensure_model(root: Path = Path("."), quiet: bool = False) -> Path:
    """Return the model for the current inputs, training it first if it does not exist."""
    root = root.resolve()
    target = model_path(root)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log = root / "models" / "train.log"
    cmd = [
        sys.executable, "-m", "rasa", "train",
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        "--out", str(target.parent),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if not quiet:
        print(f"Training the model (inputs changed); log in {log} ...", flush=True)
    with log.open("w") as out:
        result = subprocess.run(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, env=env)
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"rasa train failed (exit {result.returncode}); see {log}")
    seconds = time.monotonic() - started
    (root / "models" / "last_training.json").write_text(
        json.dumps({"model": target.name, "seconds": round(seconds, 1)})
    )
    _prune(target.parent, keep=target)
    if not quiet:
        print(f"Trained {target.name} in {seconds:.0f} s", flush=True)
    return target


def _prune(folder: Path, keep: Path) -> None:
    """Keep only the newest few models so the disk does not fill up."""
    models = sorted(folder.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        if old != keep:
            old.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the Rasa model if its inputs changed.")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    parser.add_argument("--path-file", type=Path,
                        help="write the model's path into this file (for scripts)")
    args = parser.parse_args()
    path = model_path(Path(".").resolve()) if args.print_path else ensure_model()
    if args.path_file:
        args.path_file.write_text(f"{path}\n")
    else:
        print(path)


if __name__ == "__main__":
    main()

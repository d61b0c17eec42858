"""Rasa's command line without the libraries a process never uses: ``python -m deploy.rasa_cli``
followed by ``run --model ...`` (the Rasa server) or ``run actions ...`` (the action server).

Why:

- TensorFlow 2.12, which Rasa 3.6 pins, imports JAX at start-up, only so that its TF Lite
  converter can offer a JAX path (``tensorflow/lite/python/util.py`` tries
  ``from jax import xla_computation`` and carries on without it). The assistant never converts
  a model, yet every Rasa server process paid ~70 MB of resident memory (jaxlib's XLA and MLIR
  libraries) and 0.7 s of start-up for it.
- The action server needs no TensorFlow at all, but the first typed check answer loads spaCy's
  tokenizer (``check/typed_answers.py``), and thinc, under spaCy, imports TensorFlow whenever
  it is installed: that visitor waited 2.5 s, and the action server grew by several hundred MB
  and ran JAX's garbage-collection hook from then on.

Marking a package as not importable (``sys.modules[name] = None``) makes ``import`` fail as
if it were not installed, and both TensorFlow and thinc take their own ``except ImportError``
branch. Sanic workers are forked, so they inherit the marks. Measured in bench/PROFILE.md,
round 3. ``scripts/run``, the container's entrypoint, the test and benchmark servers and the
replicas all start Rasa this way; training runs Rasa's own command line.
"""

from __future__ import annotations

import os
import sys

KEPT_OUT = ("jax", "jaxlib")
KEPT_OUT_OF_ACTIONS = ("tensorflow",)
# Rasa's command line configures TensorFlow (importing it) whenever one of these is set; they
# tune TensorFlow only, so the action server drops them instead of failing to start.
TENSORFLOW_SETTINGS = ("TF_GPU_MEMORY_ALLOC", "TF_INTER_OP_PARALLELISM_THREADS",
                       "TF_INTRA_OP_PARALLELISM_THREADS")


def keep_out(names: tuple[str, ...]) -> None:
    """Make ``import name`` fail as if it were not installed (unless it is already loaded)."""
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def kept_out(args: list[str]) -> tuple[str, ...]:
    """What a process started with these command-line arguments never imports."""
    return KEPT_OUT + (KEPT_OUT_OF_ACTIONS if args[:2] == ["run", "actions"] else ())


def main() -> None:
    names = kept_out(sys.argv[1:])
    keep_out(names)
    if "tensorflow" in names:
        for setting in TENSORFLOW_SETTINGS:
            os.environ.pop(setting, None)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()

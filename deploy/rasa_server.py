"""Rasa's command line without JAX: ``python -m deploy.rasa_server run --model ...``.

Why: TensorFlow 2.12, which Rasa 3.6 pins, imports JAX at start-up, only so that its TF Lite
converter can offer a JAX path (``tensorflow/lite/python/util.py`` tries
``from jax import xla_computation`` and carries on without it when that fails). The assistant
never converts a model, yet every Rasa process paid for the import: ~70 MB of resident memory
(jaxlib's XLA and MLIR libraries) and 0.7 s of start-up (bench/PROFILE.md, round 3). Marking
``jax`` as not importable sends TensorFlow down its own ``except ImportError`` branch; nothing
else in Rasa or TensorFlow imports it. Sanic workers are forked, so they inherit the mark.

Every place that starts a Rasa server starts it this way: ``scripts/run``, the container's
entrypoint, the test and benchmark servers and the replicas. Training and the action server
run Rasa's own command line.
"""

from __future__ import annotations

import sys

KEPT_OUT = ("jax", "jaxlib")


def keep_out() -> None:
    """Make ``import jax`` fail as if it were not installed (unless it is already loaded)."""
    for name in KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def main() -> None:
    keep_out()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()

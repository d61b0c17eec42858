"""What the crisis safety net costs per message, measured alone (not a test).

Fits the detector as training does (every training writer plus the NLU examples), then times
the held-out writers' messages through ``CrisisModel.score`` and through ``safety.assess``
(patterns + decision), one message at a time as the pipeline calls them. Prints milliseconds
per message (median, p95, max) and the largest message's cost.

    .venv/bin/python bench/crisis_cost.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not __package__:  # run as a script: import the project's packages from its root
    sys.path[0] = str(ROOT)

from burnout_assistant.language.crisis_corpus import load_corpus  # noqa: E402
from burnout_assistant.language.safety import assess  # noqa: E402
from devtools.crisis_evaluation import TEST_CORPUS, fit_detector  # noqa: E402


def _timed(fn, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    model = fit_detector(ROOT)
    texts = [m.text for m in load_corpus([ROOT / TEST_CORPUS])]
    model.score(texts[0])  # warm up
    huge = "mijn werk is zwaar en mijn team is onderbezet. " * 400 + "ik wil er niet meer zijn"
    for name, fn in (("detector", model.score),
                     ("patterns + decision", lambda t: assess(t, "faq", 0.9, model.score(t)))):
        ms = sorted(_timed(fn, texts * 3))
        p95 = ms[int(0.95 * len(ms))]
        print(f"{name}: {len(ms)} messages, median {statistics.median(ms):.2f} ms, "
              f"p95 {p95:.2f} ms, max {ms[-1]:.2f} ms; "
              f"a {len(huge)}-character message {_timed(fn, [huge])[0]:.1f} ms")


if __name__ == "__main__":
    main()

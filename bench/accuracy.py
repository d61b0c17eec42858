"""Accuracy of a trained model on held-out utterances: intent macro-F1 and faq answers.

Intent macro-F1 counts every ``faq/<topic>`` as the one intent ``faq`` (the topic is the
response selector's job, scored separately as faq response accuracy: the visitor gets the right
answer only when the intent is faq *and* the selector picks the right topic). A fallback is a
miss. The model is loaded in a subprocess (``python -m bench.accuracy``) so the bench itself
never holds TensorFlow in memory next to the servers it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from devtools.evaluation import full_label, score

ROOT = Path(__file__).resolve().parents[1]
SELECTORS = ("faq", "default")  # ours is named after its retrieval intent; Rasa's is "default"


@dataclass(frozen=True)
class Prediction:
    intent: str
    selector_key: str | None  # e.g. "faq/magnesium", whatever the intent was


@dataclass(frozen=True)
class Accuracy:
    intent_macro_f1: float
    faq_accuracy: float  # intent faq and the right topic: what the visitor sees
    selector_accuracy: float  # the right topic, whatever the intent classifier said
    utterances: int
    faq_utterances: int


def intent_of(label: str) -> str:
    """``faq/cortisol`` -> ``faq``; other labels unchanged."""
    return label.split("/", 1)[0]


def prediction_from_parse(parsed: dict) -> Prediction:
    """The intent and the faq topic from Rasa's parse result (either selector name)."""
    selectors = parsed.get("response_selector") or {}
    key = None
    for name in SELECTORS:
        response = (selectors.get(name) or {}).get("response") or {}
        if response.get("intent_response_key"):
            key = response["intent_response_key"]
            break
    intent = (parsed.get("intent") or {}).get("name") or "nlu_fallback"
    return Prediction(intent, key)


def heldout_accuracy(gold: Sequence[str], predicted: Sequence[Prediction]) -> Accuracy:
    """Scores on held-out examples whose gold labels are full (``faq/<topic>``) labels."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    report = score([intent_of(g) for g in gold], [p.intent for p in predicted])
    faq = [(g, p) for g, p in zip(gold, predicted, strict=True) if intent_of(g) == "faq"]
    right_topic = [p.selector_key == g for g, p in faq]
    answered = [p.intent == "faq" and ok for (_, p), ok in zip(faq, right_topic, strict=True)]
    return Accuracy(
        intent_macro_f1=report.macro_f1,
        faq_accuracy=sum(answered) / len(faq) if faq else float("nan"),
        selector_accuracy=sum(right_topic) / len(faq) if faq else float("nan"),
        utterances=len(gold),
        faq_utterances=len(faq),
    )


def full_label_f1(gold: Sequence[str], predicted: Sequence[Prediction]) -> float:
    """Macro-F1 on full labels, the way tests/model scores the independent test set."""
    return score(gold, [full_label(p.intent, p.selector_key) for p in predicted]).macro_f1


def predict(
    model: Path, texts: Sequence[str], timeout: float = 900
) -> tuple[list[Prediction], float]:
    """Parse ``texts`` with ``model`` in a subprocess; returns the predictions and the RSS (MB)
    of that process after parsing: the model's memory without servers around it. Raises if
    the subprocess fails or overruns."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "texts.json", Path(tmp) / "parsed.json"
        source.write_text(json.dumps(list(texts), ensure_ascii=False))
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "bench.accuracy", "--model", str(model),
             "--texts", str(source), "--out", str(target)],
            cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"parsing failed: {result.stderr[-2000:]}")
        parsed = json.loads(target.read_text())
        return [Prediction(**row) for row in parsed["rows"]], parsed["rss_mb"]


def _parse_all(model: Path, texts: list[str]) -> list[dict]:
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(agent.parse_message(text)) for text in texts]
    finally:
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Parse texts with a model (bench helper).")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--texts", type=Path, required=True, help="JSON list of strings")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    texts = json.loads(args.texts.read_text())
    rows = [prediction_from_parse(parsed).__dict__ for parsed in _parse_all(args.model, texts)]
    rss = psutil.Process().memory_info().rss / 1e6
    args.out.write_text(json.dumps({"rows": rows, "rss_mb": rss}, ensure_ascii=False))


if __name__ == "__main__":
    main()

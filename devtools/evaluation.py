"""Intent evaluation on the independent test set: macro-F1 and the worst confusions.

FAQ answers are scored on the full retrieval label (``faq/magnesium``), so picking the wrong
topic counts as a miss, and a fallback counts as a miss for every label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from burnout_assistant.config_files import load_yaml


@dataclass(frozen=True)
class Example:
    text: str
    label: str


@dataclass(frozen=True)
class Report:
    macro_f1: float
    per_label: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    confusions: list[tuple[str, str, int]]  # gold, predicted, count (most frequent first)
    total: int

    def lines(self, worst: int = 12) -> list[str]:
        """Human-readable summary for the test output."""
        out = [f"intent macro-F1 {self.macro_f1:.3f} on {self.total} utterances"]
        weakest = sorted(self.per_label.items(), key=lambda kv: kv[1][2])[:8]
        out.append("weakest labels: " + ", ".join(f"{k} {v[2]:.2f}" for k, v in weakest))
        out.append("worst confusions (gold -> predicted: count):")
        out += [f"  {g} -> {p}: {n}" for g, p, n in self.confusions[:worst]]
        return out


def load_examples(path: Path | str) -> list[Example]:
    """Read a Rasa YAML NLU file into (text, label) pairs."""
    data = load_yaml(Path(path).read_text(encoding="utf-8"))
    examples: list[Example] = []
    for block in data.get("nlu", []):
        label = block.get("intent")
        if not label:
            continue
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip()
            if text.startswith("- "):
                examples.append(Example(text[2:].strip(), label))
    return examples


def full_label(intent: str | None, retrieval: str | None) -> str:
    """Combine the intent and the response selector's topic into one label."""
    if intent == "faq":
        return retrieval if retrieval and retrieval.startswith("faq/") else "faq"
    return intent or "nlu_fallback"


def score(gold: Sequence[str], predicted: Sequence[str]) -> Report:
    """Macro-F1 over the gold labels; predictions outside them (fallback) are plain misses."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    labels = sorted(set(gold))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
            confusions[(g, p)] += 1
    per_label = {}
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = (precision, recall, f1, tp[label] + fn[label])
    macro = sum(v[2] for v in per_label.values()) / len(per_label) if per_label else 0.0
    ranked = [(g, p, n) for (g, p), n in confusions.most_common()]
    return Report(macro, per_label, ranked, len(gold))


def labels_in(examples: Iterable[Example]) -> set[str]:
    return {e.label for e in examples}

"""How well the safety net generalises: leave-one-writer-out and the held-out writers.

Recall counts a crisis message as caught when the assistant either answers with the helplines
(certain) or asks directly (unsure). On the hard look-alikes the full alarm and the check-in
question are counted separately: a question is good care when in doubt, a full alarm on
"ik ben doodmoe" is not. Reports go by category and by writer, because the world finds the
gaps one writer's habits hide.

``python -m devtools.crisis_evaluation`` prints the leave-one-writer-out table and
the thresholds it would choose.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from burnout_assistant.language.crisis_corpus import CorpusMessage, load_corpus, writers
from burnout_assistant.language.crisis_detector import CrisisModel, LabelledText, training_examples
from burnout_assistant.language.safety import CrisisScore, Thresholds, Tier, assess
from devtools.evaluation import load_examples

TRAIN_CORPUS = Path("data") / "crisis"
TEST_CORPUS = Path("tests") / "crisis"

# What the issue asks of the safety net, per category and overall.
MIN_RECALL = 0.99
MAX_FULL_ALARM = 0.02
MAX_CHECK_IN = 0.10


@dataclass(frozen=True)
class Outcome:
    message: CorpusMessage
    tier: Tier


@dataclass(frozen=True)
class SafetyReport:
    recall: dict[str, tuple[int, int]]  # category -> (caught, total)
    certain: dict[str, tuple[int, int]]  # category -> (answered with helplines, total)
    full_alarm: tuple[int, int]  # negatives answered with the helplines
    check_in: tuple[int, int]  # negatives asked the direct question
    by_writer: dict[str, tuple[float, float, float]]  # recall, full alarm, check-in
    misses: list[str]  # "category/writer: text" of crisis messages let through
    alarms: list[str]  # "category/writer: text" of negatives answered with the helplines

    @property
    def min_recall(self) -> float:
        return min(_rate(v) for v in self.recall.values())

    @property
    def full_alarm_rate(self) -> float:
        return _rate(self.full_alarm)

    @property
    def check_in_rate(self) -> float:
        return _rate(self.check_in)

    def meets_targets(self) -> bool:
        return (self.min_recall >= MIN_RECALL and self.full_alarm_rate <= MAX_FULL_ALARM
                and self.check_in_rate <= MAX_CHECK_IN)

    def lines(self, title: str) -> list[str]:
        positives = sum(t for _, t in self.recall.values())
        out = [f"{title}: {positives} crisis messages, {self.full_alarm[1]} look-alikes"]
        out.append("  recall (helplines or direct question) / helplines at once, by category:")
        out += [f"    {c:<18} {_rate(v):.3f} ({v[0]}/{v[1]})   {_rate(self.certain[c]):.3f}"
                for c, v in sorted(self.recall.items())]
        out.append(f"  look-alikes: full alarm {self.full_alarm_rate:.3f} "
                   f"({self.full_alarm[0]}/{self.full_alarm[1]}), direct question "
                   f"{self.check_in_rate:.3f} ({self.check_in[0]}/{self.check_in[1]})")
        out.append("  by writer (recall, full alarm, question): " + ", ".join(
            f"{w} {r:.2f}/{a:.2f}/{q:.2f}" for w, (r, a, q) in sorted(self.by_writer.items())))
        out += [f"  missed: {m}" for m in self.misses[:15]]
        out += [f"  alarmed: {m}" for m in self.alarms[:10]]
        return out


def _rate(pair: tuple[int, int]) -> float:
    return pair[0] / pair[1] if pair[1] else 1.0


def report(outcomes: Iterable[Outcome]) -> SafetyReport:
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    certain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_writer: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    alarm = [0, 0]
    question = [0, 0]
    misses: list[str] = []
    alarms: list[str] = []
    for o in outcomes:
        m = o.message
        w = per_writer[m.writer]
        if m.is_crisis:
            caught[m.category][1] += 1
            certain[m.category][1] += 1
            w[1] += 1
            if o.tier is not Tier.NONE:
                caught[m.category][0] += 1
                w[0] += 1
            else:
                misses.append(f"{m.category}/{m.writer}: {m.text}")
            if o.tier is Tier.CERTAIN:
                certain[m.category][0] += 1
        else:
            alarm[1] += 1
            question[1] += 1
            w[4] += 1
            if o.tier is Tier.CERTAIN:
                alarm[0] += 1
                w[2] += 1
                alarms.append(f"{m.category}/{m.writer}: {m.text}")
            elif o.tier is Tier.UNSURE:
                question[0] += 1
                w[3] += 1
    return SafetyReport(
        recall={c: (v[0], v[1]) for c, v in caught.items()},
        certain={c: (v[0], v[1]) for c, v in certain.items()},
        full_alarm=(alarm[0], alarm[1]),
        check_in=(question[0], question[1]),
        by_writer={k: (_rate((v[0], v[1])), _rate((v[2], v[4])), _rate((v[3], v[4])))
                   for k, v in per_writer.items()},
        misses=misses,
        alarms=alarms,
    )


def held_out(test: Sequence[CorpusMessage],
             train: Sequence[CorpusMessage]) -> list[CorpusMessage]:
    """The test messages that are not, letter for letter, also a training message."""
    seen = {m.text.strip().lower() for m in train}
    return [m for m in test if m.text.strip().lower() not in seen]


def nlu_examples(root: Path) -> list[LabelledText]:
    """The assistant's own NLU training examples, labelled for the detector."""
    return [LabelledText.from_intent(e.text, e.label)
            for path in sorted((root / "data" / "nlu").rglob("*.yml"))
            for e in load_examples(path)]


def fit_detector(root: Path) -> CrisisModel:
    """The detector as the assistant trains it: every training writer plus the NLU data."""
    return CrisisModel.fit(training_examples(load_corpus([root / TRAIN_CORPUS]),
                                             nlu_examples(root)))


def leave_one_writer_out(
    root: Path, corpus: Sequence[CorpusMessage] | None = None
) -> list[tuple[CorpusMessage, CrisisScore]]:
    """Every training writer's messages, scored by a detector trained without that writer."""
    from joblib import Parallel, delayed  # scikit-learn's own dependency

    corpus = list(corpus if corpus is not None else load_corpus([root / TRAIN_CORPUS]))
    ordinary = nlu_examples(root)
    # One fit per writer (seconds each, single-threaded): spread over the machine's cores.
    per_writer = Parallel(n_jobs=min(len(writers(corpus)), os.cpu_count() or 1))(
        delayed(_score_without)(corpus, ordinary, writer) for writer in writers(corpus))
    return [pair for scored in per_writer for pair in scored]


def _score_without(corpus: Sequence[CorpusMessage], ordinary: Sequence[LabelledText],
                   writer: str) -> list[tuple[CorpusMessage, CrisisScore]]:
    """The writer's messages, scored by a detector trained on everybody else."""
    own = [m for m in corpus if m.writer == writer]
    model = CrisisModel.fit(training_examples([m for m in corpus if m.writer != writer],
                                              ordinary))
    return list(zip(own, model.score_many([m.text for m in own]), strict=True))


def tiers(scored: Iterable[tuple[CorpusMessage, CrisisScore]], thresholds: Thresholds,
          intent_of: Callable[[str], tuple[str, float]] | None = None) -> list[Outcome]:
    """Decide each scored message as the assistant would (patterns + classifier + model)."""
    out = []
    for message, score in scored:
        intent, confidence = intent_of(message.text) if intent_of else (None, 0.0)
        tier = assess(message.text, intent, confidence, score, thresholds).tier
        out.append(Outcome(message, tier))
    return out


def choose_thresholds(scored: Sequence[tuple[CorpusMessage, CrisisScore]],
                      vote: float = Thresholds().vote) -> Thresholds:
    """The highest question threshold that keeps recall per category at the target, and the
    lowest alarm threshold that keeps full alarms on look-alikes at half the allowed rate."""
    grid = [round(x * 0.01, 2) for x in range(3, 100)]
    unsure = max((u for u in grid
                  if report(tiers(scored, Thresholds(u, 0.999, vote))).min_recall >= MIN_RECALL),
                 default=grid[0])
    certain = min((c for c in grid if c > unsure and report(
        tiers(scored, Thresholds(unsure, c, vote))).full_alarm_rate <= MAX_FULL_ALARM / 2),
        default=0.99)
    return Thresholds(unsure, certain, vote)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args()
    scored = leave_one_writer_out(args.root)
    current = Thresholds()
    for line in report(tiers(scored, current)).lines(
            f"leave-one-writer-out at {current}"):
        print(line)
    chosen = choose_thresholds(scored)
    print(f"suggested: {chosen}")
    for line in report(tiers(scored, chosen)).lines("leave-one-writer-out, suggested"):
        print(line)


if __name__ == "__main__":
    main()

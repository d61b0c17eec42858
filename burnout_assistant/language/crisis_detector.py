"""A dedicated crisis classifier, separate from the intent classifier.

The patterns in ``safety`` are precise but only know the phrasings their authors thought of;
the intent classifier is confident of a FAQ label on indirect crisis messages. This model is
trained on the crisis corpus (many writers, the C-SSRS categories and hard look-alikes) plus
every ordinary training example of the assistant, and gives a probability that a message is a
crisis and which kind. scikit-learn (Rasa's own pin) does the maths: word and character
n-grams over the same normalised text the patterns read, and a logistic regression, because it
is fast (about 1.5 ms per message, bench/crisis_cost.py), small and easy to inspect.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from burnout_assistant.language.crisis_corpus import CorpusMessage
from burnout_assistant.language.safety import CrisisKind, CrisisScore, normalise, scan_window

# A long message is read whole and sentence by sentence (a run-on sentence in overlapping
# windows of words), so one alarming sentence at the end of a long story is not diluted by
# the story. The score of a message is that of its most alarming piece.
_SHORT_CHARS = 200
_WINDOW_WORDS = 24
_STRIDE_WORDS = 12
_MAX_PIECES = 120
_SENTENCE_END = re.compile(r"(?<=[.!?;\n])\s+")


@dataclass(frozen=True)
class LabelledText:
    text: str
    kind: CrisisKind

    @classmethod
    def from_intent(cls, text: str, intent: str | None) -> LabelledText:
        """An assistant training example: a crisis one is a positive, every other one an
        ordinary message (check answers, questions, names) the detector must leave alone."""
        return cls(text, CrisisKind.SELF if intent == "crisis" else CrisisKind.NONE)


def pieces(text: str) -> list[str]:
    """The whole (normalised) message, plus its sentences or word windows when it is long."""
    norm = normalise(scan_window(text or ""))
    if len(norm) <= _SHORT_CHARS:
        return [norm]
    parts: list[str] = []
    for sentence in _SENTENCE_END.split(norm):
        words = sentence.split()
        if len(words) <= _WINDOW_WORDS:
            parts.append(sentence)
            continue
        last = max(len(words) - _WINDOW_WORDS, 0)
        starts = [*range(0, last, _STRIDE_WORDS), last]
        parts += [" ".join(words[i:i + _WINDOW_WORDS]) for i in starts]
    parts = [p for p in parts if p.strip()]
    if len(parts) > _MAX_PIECES:  # keep the head and, above all, the tail
        parts = parts[:20] + parts[-(_MAX_PIECES - 20):]
    return [norm, *parts]


class CrisisModel:
    """Fitted n-gram model; ``score`` reads one message, ``score_many`` a batch."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        union, self._regression = pipeline.named_steps["features"], pipeline.named_steps["model"]
        if union.transformer_weights is not None:
            raise ValueError("the crisis model's feature union is not weighted")
        self._vectorizers = [vectorizer for _, vectorizer in union.transformer_list]
        classes = list(pipeline.classes_)
        self._none = classes.index(CrisisKind.NONE.value)
        self._kinds = [CrisisKind(c) for c in classes]

    @classmethod
    def fit(cls, examples: Sequence[LabelledText], c: float = 8.0) -> CrisisModel:
        features = FeatureUnion([
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b", min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                      min_df=2)),
        ])
        pipeline = Pipeline([
            ("features", features),
            ("model", LogisticRegression(C=c, class_weight="balanced", max_iter=3000)),
        ])
        pipeline.fit([normalise(e.text) for e in examples], [e.kind.value for e in examples])
        return cls(pipeline)

    def score(self, text: str) -> CrisisScore:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[CrisisScore]:
        """One score per text: the most alarming of its pieces."""
        spans: list[tuple[int, int]] = []
        flat: list[str] = []
        for text in texts:
            parts = pieces(text)
            spans.append((len(flat), len(flat) + len(parts)))
            flat += parts
        probabilities = self.probabilities(flat)
        scores = []
        for start, end in spans:
            best = max(range(start, end), key=lambda i: 1.0 - probabilities[i][self._none])
            row = probabilities[best]
            crisis = 1.0 - float(row[self._none])
            kind = max((k for k in range(len(row)) if k != self._none), key=lambda k: row[k])
            scores.append(CrisisScore(round(crisis, 4), self._kinds[kind]))
        return scores

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The pipeline's ``predict_proba``, with the feature union's steps called directly.

        ``FeatureUnion.transform`` sends even one short message through joblib's ``Parallel``,
        which cost more than the n-grams and the regression together (~1.5 ms per message in
        the server, bench/PROFILE.md round 3); the stacked features are the same.
        """
        features = sp.hstack([v.transform(texts) for v in self._vectorizers], format="csr")
        return self._regression.predict_proba(features)

    def save(self, path: Path) -> None:
        joblib.dump(self._pipeline, path)

    @classmethod
    def load(cls, path: Path) -> CrisisModel:
        return cls(joblib.load(path))


def training_examples(corpus: Sequence[CorpusMessage],
                      ordinary: Sequence[LabelledText]) -> list[LabelledText]:
    """The corpus (with its kinds) plus the assistant's ordinary training examples."""
    return [LabelledText(m.text, m.kind) for m in corpus] + list(ordinary)

"""A dedicated crisis classifier, separate from the intent classifier.

The patterns in ``safety`` are precise but only know the phrasings their authors thought of;
the intent classifier is confident of a FAQ label on indirect crisis messages. This model is
trained on the crisis corpus (many writers, the C-SSRS categories and hard look-alikes) plus
every ordinary training example of the assistant, and gives a probability that a message is a
crisis and which kind. scikit-learn (Rasa's own pin) does the maths: word and character
n-grams over the same normalised text the patterns read, and a logistic regression, because it
is fast (about 0.15 ms per message applied directly, bench/crisis_cost.py), small and easy to
inspect.
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
from sklearn.utils.extmath import softmax

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
        self._direct = _DirectScorer.for_model(self._vectorizers, self._regression)

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
        """The pipeline's ``predict_proba``, computed directly from the fitted weights.

        ``FeatureUnion.transform`` sends even one short message through joblib's ``Parallel``,
        and scikit-learn's checks and sparse matrices for one message cost ten times the
        arithmetic: 1.4 ms against 0.14 ms per message (bench/PROFILE.md, rounds 3 and 4).
        A model the direct path does not cover goes through scikit-learn's own steps.
        """
        if self._direct is not None:
            return self._direct.probabilities(texts)
        features = sp.hstack([v.transform(texts) for v in self._vectorizers], format="csr")
        return self._regression.predict_proba(features)

    def save(self, path: Path) -> None:
        joblib.dump(self._pipeline, path)

    @classmethod
    def load(cls, path: Path) -> CrisisModel:
        return cls(joblib.load(path))


class _DirectScorer:
    """A multinomial logistic regression over l2-normalised TF-IDF n-grams, without the
    sparse matrices: per vectoriser, the counts of the known n-grams, TF-IDF weights scaled
    to unit length, times those n-grams' rows of the coefficients; then the softmax."""

    def __init__(self, tables: list[tuple], intercept: np.ndarray) -> None:
        self._tables = tables  # (analyser, vocabulary, idf, coefficients by n-gram, sublinear)
        self._intercept = intercept

    @classmethod
    def for_model(cls, vectorizers: list, regression: LogisticRegression) -> _DirectScorer | None:
        """The scorer for this fitted model, or None when it is not the kind computed here."""
        multinomial = regression.multi_class == "multinomial" or (
            regression.multi_class == "auto" and len(regression.classes_) > 2
            and regression.solver != "liblinear")
        if not multinomial or not all(
                isinstance(v, TfidfVectorizer) and v.norm == "l2" and v.use_idf
                and not v.binary for v in vectorizers):
            return None
        tables, offset = [], 0
        for v in vectorizers:
            width = len(v.vocabulary_)
            coefficients = np.ascontiguousarray(regression.coef_[:, offset:offset + width].T)
            tables.append((v.build_analyzer(), v.vocabulary_, v.idf_, coefficients,
                           v.sublinear_tf))
            offset += width
        if offset != regression.coef_.shape[1]:
            return None
        return cls(tables, regression.intercept_.astype(np.float64))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        decisions = np.tile(self._intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            for analyse, vocabulary, idf, coefficients, sublinear in self._tables:
                counts: dict[int, int] = {}
                for ngram in analyse(text):
                    column = vocabulary.get(ngram)
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
                if not counts:
                    continue
                columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                if sublinear:
                    tf = np.log(tf) + 1.0
                weights = tf * idf[columns]
                weights /= np.sqrt(weights @ weights)
                decisions[row] += weights @ coefficients[columns]
        return softmax(decisions)


def training_examples(corpus: Sequence[CorpusMessage],
                      ordinary: Sequence[LabelledText]) -> list[LabelledText]:
    """The corpus (with its kinds) plus the assistant's ordinary training examples."""
    return [LabelledText(m.text, m.kind) for m in corpus] + list(ordinary)

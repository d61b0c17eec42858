"""The crisis corpus files and the dedicated crisis classifier, without Rasa."""

from __future__ import annotations

from pathlib import Path

import pytest

from burnout_assistant.language.crisis_corpus import (
    NEGATIVE_CATEGORIES,
    POSITIVE_CATEGORIES,
    STYLES,
    load_corpus,
    load_writer,
    writers,
)
from burnout_assistant.language.crisis_detector import CrisisModel, LabelledText, pieces
from burnout_assistant.language.safety import CrisisKind, Tier
from devtools.crisis_evaluation import Outcome, held_out, report

ROOT = Path(__file__).parents[2]
TRAIN = load_corpus([ROOT / "data" / "crisis"])
TEST = load_corpus([ROOT / "tests" / "crisis"])


def test_corpus_has_enough_writers_and_messages() -> None:
    assert len(writers(TRAIN)) >= 5 and len(writers(TEST)) >= 2
    everything = TRAIN + TEST
    assert sum(m.is_crisis for m in everything) >= 500
    assert sum(not m.is_crisis for m in everything) >= 500


def test_test_writers_never_train() -> None:
    assert set(writers(TRAIN)).isdisjoint(writers(TEST))
    # Independent writers sometimes write the same plain sentence; the evaluation leaves
    # those out, so no test message is ever scored on a verbatim training example.
    kept = held_out(TEST, TRAIN)
    assert 0 < len(TEST) - len(kept) < 0.05 * len(TEST)
    trained = {m.text.strip().lower() for m in TRAIN}
    assert [m.text for m in kept if m.text.strip().lower() in trained] == []


@pytest.mark.parametrize("corpus", [TRAIN, TEST], ids=["train", "test"])
def test_every_writer_covers_every_category_and_style(corpus) -> None:
    for writer in writers(corpus):
        mine = [m for m in corpus if m.writer == writer]
        cells = {(m.category, m.style) for m in mine if m.is_crisis}
        assert cells == {(c, s) for c in POSITIVE_CATEGORIES for s in STYLES}, writer
        assert {m.category for m in mine if not m.is_crisis} == set(NEGATIVE_CATEGORIES), writer


def test_unknown_category_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("writer: x\npositives:\n  sadness:\n    direct: [\"a\"]\n")
    with pytest.raises(ValueError, match="sadness"):
        load_writer(path)


def test_long_messages_are_read_in_windows_that_keep_the_tail() -> None:
    story = "mijn werk is zwaar en mijn team is onderbezet. " * 400
    parts = pieces(story + "vanavond neem ik alle pillen")
    assert len(parts) <= 121
    assert parts[-1].endswith("vanavond neem ik alle pillen")
    assert pieces("kort bericht") == ["kort bericht"]


def _toy_model() -> CrisisModel:
    crisis = ["ik wil dood", "ik wil er niet meer zijn", "ik snij mezelf", "ik wil niet meer leven"]
    worry = ["mijn zus wil dood", "mijn zoon wil er niet meer zijn"]
    danger = ["mijn man slaat me", "hij bedreigt me met een mes"]
    calm = ["hoe lang duurt herstel", "wat kost een gesprek", "ik slaap slecht", "ik ben moe",
            "mag ik magnesium", "ik wil een afspraak", "wat is burn-out", "hallo"]
    examples = ([LabelledText(t, CrisisKind.SELF) for t in crisis]
                + [LabelledText(t, CrisisKind.OTHER) for t in worry]
                + [LabelledText(t, CrisisKind.VIOLENCE) for t in danger]
                + [LabelledText(t, CrisisKind.NONE) for t in calm])
    return CrisisModel.fit(examples)


def test_model_scores_kinds_and_survives_a_round_trip(tmp_path: Path) -> None:
    model = _toy_model()
    dead, calm, worry = model.score_many(["ik wil dood", "wat kost een gesprek",
                                          "mijn zus wil dood"])
    assert dead.probability > calm.probability
    assert worry.kind is CrisisKind.OTHER
    model.save(tmp_path / "m.joblib")
    again = CrisisModel.load(tmp_path / "m.joblib")
    assert again.score("ik wil dood") == dead


def test_a_crisis_sentence_at_the_end_of_a_long_story_scores_like_alone() -> None:
    model = _toy_model()
    story = "ik slaap slecht en hoe lang duurt herstel. " * 300
    assert model.score(story + " ik wil dood").probability >= (
        model.score("ik wil dood").probability - 0.2)


def test_report_counts_recall_alarms_and_questions_by_category() -> None:
    crisis, calm = [m for m in TEST if m.is_crisis][:2], [m for m in TEST if not m.is_crisis][:4]
    outcomes = [Outcome(crisis[0], Tier.CERTAIN), Outcome(crisis[1], Tier.NONE),
                Outcome(calm[0], Tier.CERTAIN), Outcome(calm[1], Tier.UNSURE),
                Outcome(calm[2], Tier.NONE), Outcome(calm[3], Tier.NONE)]
    result = report(outcomes)
    assert result.full_alarm == (1, 4) and result.check_in == (1, 4)
    assert sum(v[0] for v in result.recall.values()) == 1
    assert len(result.misses) == 1 and not result.meets_targets()


def test_probabilities_are_the_pipelines_own() -> None:
    """The weights applied directly give scikit-learn's predict_proba (to rounding) and the
    same scores, on every test-corpus message, empty text and unknown words."""
    import numpy as np

    model = _toy_model()
    assert model._direct is not None  # the fast path is the one tested here
    texts = [message.text for message in TEST] + ["", "vaak", "qqq zzz", "ik wil dood"]
    flat = [piece for text in texts for piece in pieces(text)]
    ours, theirs = model.probabilities(flat), model._pipeline.predict_proba(flat)
    assert np.allclose(ours, theirs, rtol=0, atol=1e-12)
    model._direct = None
    assert model.probabilities(flat).shape == theirs.shape
    slow = model.score_many(texts)
    model._direct = CrisisModel(model._pipeline)._direct
    assert model.score_many(texts) == slow


def test_a_two_kind_model_is_scored_by_scikit_learn_itself() -> None:
    """Two classes make a binary regression (a sigmoid): not the direct path's softmax."""
    import numpy as np

    model = CrisisModel.fit([LabelledText("ik wil dood", CrisisKind.SELF),
                             LabelledText("ik wil niet meer leven", CrisisKind.SELF),
                             LabelledText("wat kost een gesprek", CrisisKind.NONE),
                             LabelledText("hoe lang duurt herstel", CrisisKind.NONE)])
    assert model._direct is None
    texts = ["ik wil dood", "wat kost het"]
    assert np.array_equal(model.probabilities(texts), model._pipeline.predict_proba(texts))

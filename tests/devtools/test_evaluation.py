"""Scoring used by the NLU gate: full faq labels, fallback as a miss."""

from pathlib import Path

import pytest

from devtools.evaluation import full_label, load_examples, score


def test_full_label_uses_the_retrieval_topic() -> None:
    assert full_label("faq", "faq/magnesium") == "faq/magnesium"
    assert full_label("greet", None) == "greet"
    assert full_label(None, None) == "nlu_fallback"


def test_perfect_and_imperfect_scores() -> None:
    assert score(["a", "b"], ["a", "b"]).macro_f1 == 1.0
    report = score(["a", "a", "b", "b"], ["a", "nlu_fallback", "b", "a"])
    # a: p=1/2 r=1/2 -> 0.5 ; b: p=1 r=1/2 -> 0.667
    assert report.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)
    assert ("a", "nlu_fallback", 1) in report.confusions
    assert "nlu_fallback" not in report.per_label  # a miss, not a label of its own


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        score(["a"], [])


def test_load_examples_reads_rasa_yaml(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: faq/kosten\n  examples: |\n    - wat kost het\n'
        "    - is het gratis\n- intent: greet\n  examples: |\n    - hoi\n"
    )
    examples = load_examples(path)
    assert [(e.text, e.label) for e in examples] == [
        ("wat kost het", "faq/kosten"), ("is het gratis", "faq/kosten"), ("hoi", "greet"),
    ]

"""The questionnaire file: loading, validation with named fields, typed answers, scoring."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from burnout_assistant.questionnaire import (
    QuestionnaireError,
    load_questionnaire,
    months_mentioned,
    parse_answer,
    parse_questionnaire,
    result_message,
    score_answers,
)

ROOT = Path(__file__).parents[2]
RAW = yaml.safe_load((ROOT / "questionnaire.yml").read_text())
Q = parse_questionnaire(RAW)
FREQUENCY_IDS = [q.id for q in Q.questions if q.scale == "frequency"]


def _broken(mutate) -> dict:
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def test_default_has_eight_frequency_questions_then_duration_and_impact() -> None:
    assert len(FREQUENCY_IDS) == 8
    assert [q.scale for q in Q.questions[-2:]] == ["duration", "impact"]
    labels = [o.label for o in Q.scales["frequency"].options]
    assert labels == ["Nooit", "Zelden", "Soms", "Vaak", "(Bijna) altijd"]


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda r: r["questions"][2].update(scale="vaakheid"), "questions.2.scale"),
        (lambda r: r["questions"][0].pop("text"), "questions.0.text"),
        (lambda r: r["questions"][1].update(id="vermoeidheid"), "ids must be unique"),
        (lambda r: r["scoring"]["bands"][1].update(up_to=5), "scoring.bands"),
        (lambda r: r["scoring"]["bands"][-1].update(up_to=25), "maximum score 32"),
        (lambda r: r["scoring"]["huisarts"].update(bands=["extreem"]), "scoring.huisarts.bands"),
        (lambda r: r.update(vragen=[]), "vragen"),
        (lambda r: r["scales"]["frequency"]["options"][1].update(value=0), "unique"),
    ],
)
def test_bad_file_errors_name_the_field(mutate, named: str) -> None:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(_broken(mutate))
    assert named in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="not found"):
        load_questionnaire(tmp_path / "nope.yml")


def test_another_instrument_loads_without_code_changes() -> None:
    raw = {
        "id": "ander", "title": "Ander", "intro": "i", "disclaimer": "d",
        "scales": {
            "janee": {"options": [{"value": 0, "label": "Nee"}, {"value": 1, "label": "Ja"}]}
        },
        "questions": [{"id": f"v{n}", "scale": "janee", "text": f"Vraag {n}?"} for n in range(3)],
        "scoring": {"bands": [{"name": "laag", "up_to": 1, "text": "."},
                              {"name": "hoog", "up_to": 3, "text": "!"}]},
    }
    other = parse_questionnaire(raw)
    assert score_answers(other, {"v0": 1, "v1": 1, "v2": 0}).band == "hoog"


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("heel vaak", "Vaak"), ("bijna nooit", "Zelden"),
        ("eigenlijk altijd wel", "(Bijna) altijd"),
        ("dikwijls", "Vaak"), ("4", "Vaak"), ("Vaaak", "Vaak"), ("af en toe", "Soms"),
        ("nooit eigenlijk", "Nooit"), ("(Bijna) altijd", "(Bijna) altijd"), ("SOMS!", "Soms"),
    ],
)
def test_typed_frequency_answers(typed: str, label: str) -> None:
    option = parse_answer(Q, Q.question("vermoeidheid"), typed)
    assert option is not None and option.label == label


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("een half jaar al", "3 tot 6 maanden"), ("ruim 2 maanden", "1 tot 3 maanden"),
        ("3 weken", "Korter dan 1 maand"), ("al jaren", "Langer dan 6 maanden"),
        ("anderhalf jaar", "Langer dan 6 maanden"), ("1", "Korter dan 1 maand"),
    ],
)
def test_typed_durations(typed: str, label: str) -> None:
    option = parse_answer(Q, Q.question("duur"), typed)
    assert option is not None and option.label == label


@pytest.mark.parametrize("typed", ["", "blabla", "wat bedoel je?", "9"])
def test_answers_that_cannot_be_placed(typed: str) -> None:
    assert parse_answer(Q, Q.question("slaap"), typed) is None


def test_months_mentioned() -> None:
    assert months_mentioned("een half jaar") == 6
    assert months_mentioned("2 weken") == 0.5
    assert months_mentioned("geen idee") is None


def _answers(value: int, duration: int = 0, **overrides: int) -> dict[str, int]:
    answers = {qid: value for qid in FREQUENCY_IDS} | {"duur": duration, "impact": 1}
    return answers | overrides


@pytest.mark.parametrize(
    ("value", "band"), [(0, "laag"), (1, "laag"), (2, "verhoogd"), (3, "hoog")]
)
def test_bands(value: int, band: str) -> None:
    assert score_answers(Q, _answers(value)).band == band


def test_band_edges() -> None:
    ten = {qid: 0 for qid in FREQUENCY_IDS} | {"vermoeidheid": 4, "slaap": 4, "stemming": 2}
    assert score_answers(Q, ten).total == 10 and score_answers(Q, ten).band == "laag"
    ten["concentratie"] = 1
    assert score_answers(Q, ten).band == "verhoogd"


def test_stand_out_is_strongest_first_and_capped() -> None:
    result = score_answers(Q, _answers(3, slaap=4))
    assert result.stand_out[0] == "slecht of onrustig slapen"
    assert len(result.stand_out) == 4


def test_huisarts_advice_reasons() -> None:
    assert not score_answers(Q, _answers(1, duration=0)).advise_huisarts
    assert score_answers(Q, _answers(1, duration=2)).huisarts_reasons == [
        "je klachten al langer dan drie maanden duren"
    ]
    assert "je ook lichamelijke klachten hebt" in score_answers(
        Q, _answers(0, lichamelijk=3)
    ).huisarts_reasons
    assert "je veel klachten aangeeft" in score_answers(Q, _answers(3)).huisarts_reasons


def test_missing_answers_count_as_zero_and_mark_incomplete() -> None:
    result = score_answers(Q, {"vermoeidheid": 4})
    assert result.total == 4 and not result.complete


def test_result_message_is_honest() -> None:
    text = result_message(Q, score_answers(Q, _answers(3, duration=3)))
    assert "geen diagnose" in text and "huisarts" in text and "kennismaking" in text
    low = result_message(Q, score_answers(Q, _answers(0)))
    assert "huisarts" not in low and "geen diagnose" in low

"""The questionnaire file: loading, validation with named fields, typed answers, scoring."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from burnout_assistant.check.questionnaire import (
    QuestionnaireError,
    load_questionnaire,
    parse_answer,
    parse_questionnaire,
    result_message,
    score_answers,
)
from burnout_assistant.config_files import load_yaml

ROOT = Path(__file__).parents[2]
RAW = load_yaml((ROOT / "questionnaire.yml").read_text())
Q = parse_questionnaire(RAW)
FREQUENCY_IDS = [q.id for q in Q.questions if q.scale == "frequency"]


def _broken(mutate) -> dict:
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def test_default_has_nine_frequency_questions_then_duration_and_impact() -> None:
    assert len(FREQUENCY_IDS) == 9
    assert {q.id for q in Q.questions if q.reverse} == {"uitgerust", "ontspannen"}
    # asked positively, one thing each: no "niet" in a question, no "of" joining two things
    for question in Q.questions:
        assert " niet " not in f" {question.text} " and " of " not in question.text, question.text
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
        (lambda r: r["scoring"]["bands"][-1].update(up_to=25), "maximum score 36"),
        (lambda r: r["scales"]["impact"]["options"].pop(), "impact scale has 4 options"),
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
    with pytest.raises(QuestionnaireError, match="niet gevonden"):
        load_questionnaire(tmp_path / "nope.yml")


def test_another_instrument_loads_without_code_changes() -> None:
    raw = {
        "id": "ander", "title": "Ander", "intro": "i", "disclaimer": "d",
        "scales": {
            "janee": {"options": [{"value": 0, "label": "Nee"}, {"value": 1, "label": "Ja"}]}
        },
        "questions": [{"id": f"v{n}", "scale": "janee", "text": f"Vraag {n}?"} for n in range(3)],
        "scoring": {"bands": [{"name": "laag", "label": "laag", "up_to": 1, "text": "."},
                              {"name": "hoog", "label": "hoog", "up_to": 3, "text": "!"}]},
    }
    other = parse_questionnaire(raw)
    assert score_answers(other, {"v0": 1, "v1": 1, "v2": 0}).band == "hoog"


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("heel vaak", "Vaak"), ("bijna nooit", "Zelden"),
        ("eigenlijk altijd wel", "(Bijna) altijd"),
        ("dikwijls", "Vaak"), ("4", "Vaak"), ("af en toe", "Soms"),
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


def _answers(value: int, duration: int = 0, **overrides: int) -> dict[str, int]:
    """Every frequency question at the same *score* (reversed questions answered the other
    way round), so value 4 is the heaviest check."""
    answers = {qid: (4 - value if Q.question(qid).reverse else value) for qid in FREQUENCY_IDS}
    return answers | {"duur": duration, "impact": 1} | overrides


@pytest.mark.parametrize(
    ("value", "band"), [(0, "laag"), (1, "laag"), (2, "verhoogd"), (3, "hoog")]
)
def test_bands(value: int, band: str) -> None:
    assert score_answers(Q, _answers(value)).band == band


def test_reversed_questions_count_the_other_way() -> None:
    never_rested = _answers(0, uitgerust=0)
    assert score_answers(Q, never_rested).total == 4
    assert score_answers(Q, _answers(0)).total == 0


def test_band_edges() -> None:
    eleven = _answers(0, vermoeidheid=4, slaap=4, concentratie=3)
    assert score_answers(Q, eleven).total == 11 and score_answers(Q, eleven).band == "laag"
    eleven["prikkelbaarheid"] = 1
    assert score_answers(Q, eleven).band == "verhoogd"


def test_stand_out_is_strongest_first_and_capped() -> None:
    result = score_answers(Q, _answers(3, slaap=4))
    assert result.stand_out[0] == "slecht slapen"
    assert len(result.stand_out) == 4


def test_huisarts_advice_reasons() -> None:
    assert not score_answers(Q, _answers(1, duration=0)).advise_huisarts
    assert score_answers(Q, _answers(2, duration=2)).huisarts_reasons == [
        "klachten die langer dan drie maanden duren"
    ]
    assert "ook lichamelijke klachten" in score_answers(
        Q, _answers(0, lichamelijk=3)
    ).huisarts_reasons
    assert "veel klachten" in score_answers(Q, _answers(3)).huisarts_reasons


def test_lowest_band_never_says_long_lasting() -> None:
    result = score_answers(Q, _answers(1, duration=3))
    assert result.band == "laag" and not result.advise_huisarts
    assert "drie maanden" not in result_message(Q, result)


def test_a_somber_mood_brings_the_huisarts_and_113_whatever_the_total() -> None:
    result = score_answers(Q, _answers(0, stemming=3))
    assert result.band == "laag" and result.mood_high
    text = result_message(Q, result)
    assert "huisarts" in text and "113" in text and "0800-0113" in text
    assert "113" not in result_message(Q, score_answers(Q, _answers(2, stemming=2)))


def test_missing_answers_count_as_zero_and_mark_incomplete() -> None:
    result = score_answers(Q, {"vermoeidheid": 4})
    assert result.total == 4 and not result.complete


def test_result_message_is_honest_and_names_the_band() -> None:
    text = result_message(Q, score_answers(Q, _answers(3, duration=3)))
    assert "geen diagnose" in text and "huisarts" in text and "kennismaking" in text
    assert "Je uitkomst: veel klachten." in text
    low = result_message(Q, score_answers(Q, _answers(0)))
    assert "huisarts" not in low and "geen diagnose" in low
    assert "Je uitkomst: weinig klachten." in low

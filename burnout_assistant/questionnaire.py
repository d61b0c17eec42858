"""The short symptom check: questions, answer parsing and scoring, all driven by a data file.

``questionnaire.yml`` holds the questions, answer options, bands and the huisarts rule, so a
practice can swap in another instrument without touching code. It is validated at start-up and
an error names the bad field. The result is indicative, never a diagnosis.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, root_validator, validator

from burnout_assistant.config_files import parse_model, read_yaml

DEFAULT_PATH = Path("questionnaire.yml")
MAX_STAND_OUT = 4


class QuestionnaireError(ValueError):
    """Raised with the dotted path of every bad field."""


class _Strict(BaseModel):
    class Config:
        extra = "forbid"


class Option(_Strict):
    value: int
    label: str = Field(..., min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    max_months: float | None = None  # duration scales: upper bound of this option


class Scale(_Strict):
    options: list[Option] = Field(..., min_items=2)

    @validator("options")
    def _unique(cls, options: list[Option]) -> list[Option]:
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        return options


class Question(_Strict):
    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$")
    scale: str
    text: str = Field(..., min_length=1)
    complaint: str = ""
    scored: bool = True
    physical: bool = False


class Band(_Strict):
    name: str
    up_to: int
    text: str


class HuisartsRule(_Strict):
    bands: list[str] = Field(default_factory=list)
    duration_from: int | None = None
    physical_from: int | None = None


class Scoring(_Strict):
    bands: list[Band] = Field(..., min_items=1)
    stands_out_from: int = 3
    huisarts: HuisartsRule = Field(default_factory=HuisartsRule)

    @validator("bands")
    def _ascending(cls, bands: list[Band]) -> list[Band]:
        limits = [b.up_to for b in bands]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError("bands must have strictly ascending up_to")
        return bands


class Messages(_Strict):
    """Everything said around the questions; a practice can reword it in the same file."""

    question_prefix: str = "Vraag {number} van {total}:"
    not_understood: str = "Dat antwoord kon ik niet goed plaatsen. Kies een van de knoppen."
    stop_question: str = "Wil je stoppen met de check? Je antwoorden blijven bewaard."
    stop_yes: str = "Ja, stoppen"
    stop_no: str = "Nee, ga door"
    paused: str = "Oké, we stoppen hier. Zeg \"ga verder\" als je later verder wilt."
    resume_button: str = "Ga verder met de check"
    resumed: str = "We gaan verder waar je gebleven was."


class Questionnaire(_Strict):
    id: str
    title: str
    intro: str
    disclaimer: str
    scales: dict[str, Scale]
    questions: list[Question] = Field(..., min_items=1)
    scoring: Scoring
    messages: Messages = Field(default_factory=Messages)

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict) -> dict:
        scales, questions, scoring = values["scales"], values["questions"], values["scoring"]
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            raise ValueError("questions: ids must be unique")
        for index, question in enumerate(questions):
            if question.scale not in scales:
                raise ValueError(f"questions.{index}.scale: unknown scale {question.scale!r}")
        band_names = {b.name for b in scoring.bands}
        for name in scoring.huisarts.bands:
            if name not in band_names:
                raise ValueError(f"scoring.huisarts.bands: unknown band {name!r}")
        top = sum(max(o.value for o in scales[q.scale].options) for q in questions if q.scored)
        if scoring.bands[-1].up_to < top:
            raise ValueError(f"scoring.bands: the last band must reach the maximum score {top}")
        return values

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def options(self, question: Question) -> list[Option]:
        return self.scales[question.scale].options

    def next_question(self, answers: dict[str, int]) -> Question | None:
        """The first question without an answer, in order; None when the check is complete."""
        return next((q for q in self.questions if q.id not in answers), None)

    def position(self, question: Question) -> int:
        return self.questions.index(question) + 1


def parse_questionnaire(raw: dict) -> Questionnaire:
    return parse_model(Questionnaire, raw, "questionnaire", QuestionnaireError)


def load_questionnaire(path: Path | str | None = None) -> Questionnaire:
    path = Path(path or os.environ.get("QUESTIONNAIRE") or DEFAULT_PATH)
    return parse_questionnaire(read_yaml(path, "questionnaire", QuestionnaireError))


@lru_cache(maxsize=1)
def current_questionnaire() -> Questionnaire:
    """The questionnaire of this process, read once at start-up."""
    return load_questionnaire()


# --- understanding typed answers -------------------------------------------------------------

_NUMBER_WORDS = {
    "een": 1, "één": 1, "1": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "paar": 2,
    "anderhalf": 1.5, "enkele": 3,
}
_UNIT_MONTHS = {"dag": 1 / 30, "week": 0.25, "weken": 0.25, "maand": 1, "maanden": 1,
                "jaar": 12, "jaren": 12, "dagen": 1 / 30}
_DURATION = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf"
    r"|paar|anderhalf|enkele)?\s*(?P<half>half\s+)?(?P<unit>dagen|dag|weken|week|maanden|maand"
    r"|jaren|jaar)\b"
)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s()-]", " ", text).replace("(", "").replace(")", "")
    return re.sub(r"\s+", " ", text).strip()


def months_mentioned(text: str) -> float | None:
    """``"een half jaar al"`` → 6, ``"ruim 2 maanden"`` → 2, ``"3 weken"`` → 0.75."""
    match = _DURATION.search(_normal(text))
    if not match:
        return None
    unit = _UNIT_MONTHS[match.group("unit")]
    if match.group("half"):
        return 0.5 * unit * (_to_number(match.group("n")) if match.group("n") else 1)
    number = _to_number(match.group("n")) if match.group("n") else 1
    return number * unit


def _to_number(token: str) -> float:
    token = token.replace(",", ".")
    return float(token) if re.fullmatch(r"\d+(\.\d+)?", token) else _NUMBER_WORDS[token]


def parse_answer(questionnaire: Questionnaire, question: Question, text: str) -> Option | None:
    """Map a typed or clicked answer to an option, or None when it cannot be placed.

    Tries, in order: the option's label, a digit for the n-th option, a number of months for
    duration scales, the longest synonym found in the text, then a close spelling (typos).
    """
    options = questionnaire.options(question)
    said = _normal(text)
    if not said:
        return None
    for option in options:
        if said == _normal(option.label):
            return option
    if re.fullmatch(r"\d", said) and 1 <= int(said) <= len(options):
        return options[int(said) - 1]
    if any(o.max_months is not None for o in options):
        months = months_mentioned(said)
        if months is not None:
            return next((o for o in options if o.max_months is None or months <= o.max_months),
                        options[-1])
    phrases = sorted(
        ((_normal(p), o) for o in options for p in [o.label, *o.synonyms]),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    for phrase, option in phrases:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said):
            return option
    close = difflib.get_close_matches(said, [p for p, _ in phrases], n=1, cutoff=0.8)
    return next((o for p, o in phrases if close and p == close[0]), None)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """What the visitor is told, and what the practice may receive with consent."""

    total: int
    band: str
    band_text: str
    stand_out: list[str]  # strongest first, at most MAX_STAND_OUT
    huisarts_reasons: list[str]  # empty: no extra advice to see the huisarts
    complete: bool

    @property
    def advise_huisarts(self) -> bool:
        return bool(self.huisarts_reasons)


def score_answers(questionnaire: Questionnaire, answers: dict[str, int]) -> CheckResult:
    """Band, complaints that stood out and the huisarts advice; unanswered questions count 0."""
    scored = [q for q in questionnaire.questions if q.scored]
    total = sum(int(answers.get(q.id, 0)) for q in scored)
    band = next(b for b in questionnaire.scoring.bands if total <= b.up_to)
    threshold = questionnaire.scoring.stands_out_from
    strong = sorted(
        (q for q in scored if int(answers.get(q.id, -1)) >= threshold),
        key=lambda q: -int(answers[q.id]),  # stable: equal answers keep questionnaire order
    )
    rule = questionnaire.scoring.huisarts
    duration = _answer_on_scale(questionnaire, answers, "duration")
    physical = max((int(answers.get(q.id, 0)) for q in scored if q.physical), default=0)
    reasons = []
    if band.name in rule.bands:
        reasons.append("je veel klachten aangeeft")
    if rule.duration_from is not None and duration is not None and duration >= rule.duration_from:
        reasons.append("je klachten al langer dan drie maanden duren")
    if rule.physical_from is not None and physical >= rule.physical_from:
        reasons.append("je ook lichamelijke klachten hebt")
    return CheckResult(
        total=total,
        band=band.name,
        band_text=band.text,
        stand_out=[q.complaint or q.id for q in strong][:MAX_STAND_OUT],
        huisarts_reasons=reasons,
        complete=questionnaire.next_question(answers) is None,
    )


def _answer_on_scale(
    questionnaire: Questionnaire, answers: dict[str, int], scale: str
) -> int | None:
    question = next((q for q in questionnaire.questions if q.scale == scale), None)
    return None if question is None or question.id not in answers else int(answers[question.id])


def result_message(questionnaire: Questionnaire, result: CheckResult) -> str:
    """The result in plain Dutch: band, what stood out, not a diagnosis, huisarts if it fits."""
    parts = [f"Dank je wel voor het invullen. {result.band_text}"]
    if result.stand_out:
        parts.append("Wat eruit sprong: " + _dutch_list(result.stand_out) + ".")
    parts.append(questionnaire.disclaimer)
    if result.advise_huisarts:
        parts.append(
            f"Omdat {_dutch_list(result.huisarts_reasons)}, is het verstandig om ook naar je "
            "huisarts te gaan: die kan kijken of er een lichamelijke oorzaak meespeelt."
        )
    parts.append(
        "Wil je er met een therapeut over praten? Plan dan een gratis telefonische kennismaking."
    )
    return " ".join(parts)


def _dutch_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description="Validate a questionnaire file.")
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    questionnaire = load_questionnaire(parser.parse_args().path)
    print(f"{questionnaire.id}: {len(questionnaire.questions)} questions, valid")


if __name__ == "__main__":
    main()

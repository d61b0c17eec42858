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
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, root_validator, validator

from burnout_assistant.check import typed_answers
from burnout_assistant.config_files import parse_model, read_yaml
from burnout_assistant.language.dutch_time import dutch_list

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
    # The rule grammar of typed_answers.py that reads typed answers on this scale; a scale
    # without a kind is read by its labels and synonyms only.
    kind: Literal["frequency", "duration", "impact"] | None = None
    options: list[Option] = Field(..., min_items=2)

    @validator("options")
    def _unique(cls, options: list[Option]) -> list[Option]:
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        return options

    @root_validator(skip_on_failure=True)
    def _fits_kind(cls, values: dict) -> dict:
        levels = {"frequency": 5, "impact": 4}.get(values.get("kind") or "")
        if levels and len(values["options"]) != levels:
            raise ValueError(f"a {values['kind']} scale has {levels} options, lowest first")
        if values.get("kind") == "duration" and any(
                o.max_months is None for o in values["options"][:-1]):
            raise ValueError("a duration scale needs max_months on every option but the last")
        return values


class Question(_Strict):
    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$")
    scale: str
    text: str = Field(..., min_length=1)
    complaint: str = ""
    scored: bool = True
    physical: bool = False
    # Asked positively about something healthy ("hoe vaak word je uitgerust wakker?"): the
    # score counts the other way round, so "nooit" adds the most.
    reverse: bool = False
    mood: bool = False  # a high answer gives huisarts advice and the 113 line, whatever the total


class Band(_Strict):
    name: str
    label: str = Field(..., min_length=1)  # the band in plain words: "veel klachten"
    up_to: int
    text: str


class HuisartsRule(_Strict):
    bands: list[str] = Field(default_factory=list)
    duration_from: int | None = None
    physical_from: int | None = None
    mood_from: int | None = None


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
    noted: str = "Genoteerd: {answer}."
    fix_button: str = "Vorige antwoord aanpassen"
    fixing: str = "Geen probleem, we doen die vraag opnieuw."
    result_band: str = "Je uitkomst: {label}."
    huisarts: str = (
        "Ga ook langs je huisarts, vanwege {reasons}. De huisarts kan kijken of er een "
        "lichamelijke oorzaak meespeelt."
    )
    mood_line: str = (
        "Voel je je zo somber dat je soms niet meer wilt leven? Praat er dan over met 113, "
        "dag en nacht: bel 0800-0113 of chat via 113.nl."
    )


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
        if not any(q.mood for q in questions) and scoring.huisarts.mood_from is not None:
            raise ValueError("scoring.huisarts.mood_from: no question has mood: true")
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
    return parse_model(Questionnaire, raw, "de vragenlijst", QuestionnaireError)


def load_questionnaire(path: Path | str | None = None) -> Questionnaire:
    path = Path(path or os.environ.get("QUESTIONNAIRE") or DEFAULT_PATH)
    return parse_questionnaire(read_yaml(path, "de vragenlijst", QuestionnaireError))


@lru_cache(maxsize=1)
def current_questionnaire() -> Questionnaire:
    """The questionnaire of this process, read once at start-up."""
    return load_questionnaire()


# --- understanding typed answers -------------------------------------------------------------


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s()-]", " ", text).replace("(", "").replace(")", "")
    return re.sub(r"\s+", " ", text).strip()


def is_clicked(questionnaire: Questionnaire, question: Question, text: str) -> bool:
    """A button's payload is its label: anything else was typed (and is echoed back)."""
    return any((text or "").strip() == o.label for o in questionnaire.options(question))


def parse_answer(
    questionnaire: Questionnaire, question: Question, text: str, today: date | None = None
) -> Option | None:
    """Map a typed or clicked answer to an option, or None when it cannot be placed.

    Tries, in order: the option's label, a digit for the n-th option, the rule grammar of the
    scale's kind (typed_answers.py: negation, "bijna", durations and dates), and last the
    whole answer against a synonym or, for typos, a close spelling of one. Synonyms never
    match inside a sentence: "niet" in "ik kan niet meer werken" is not "nauwelijks".
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
    kind = questionnaire.scales[question.scale].kind
    if kind == "duration":
        months = typed_answers.read_months(text, today or date.today())
        if months is not None:
            return next((o for o in options if o.max_months is None or months <= o.max_months),
                        options[-1])
    elif kind is not None:
        read = typed_answers.read_frequency if kind == "frequency" else typed_answers.read_impact
        level = read(text)
        if level is not None:
            return sorted(options, key=lambda o: o.value)[level]
    phrases = {_normal(p): o for o in options for p in [o.label, *o.synonyms]}
    if said in phrases:
        return phrases[said]
    close = difflib.get_close_matches(said, list(phrases), n=1, cutoff=0.8)
    return phrases[close[0]] if close else None


def score_of(questionnaire: Questionnaire, question: Question, value: int) -> int:
    """What an answer adds to the total: reversed for questions asked about something healthy."""
    if not question.reverse:
        return int(value)
    values = [o.value for o in questionnaire.options(question)]
    return max(values) + min(values) - int(value)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """What the visitor is told, and what the practice may receive with consent."""

    total: int
    band: str
    band_label: str
    band_text: str
    stand_out: list[str]  # strongest first, at most MAX_STAND_OUT
    huisarts_reasons: list[str]  # empty: no extra advice to see the huisarts
    complete: bool
    mood_high: bool = False  # the mood question answered "vaak" or more: the 113 line follows

    @property
    def advise_huisarts(self) -> bool:
        return bool(self.huisarts_reasons)


def score_answers(questionnaire: Questionnaire, answers: dict[str, int]) -> CheckResult:
    """Band, complaints that stood out and the huisarts advice; unanswered questions count 0.

    The advice never contradicts the band: the lowest band does not add "your complaints
    last long" (it said there are few), but a high mood answer always brings the huisarts and
    the 113 line, whatever the total.
    """
    scored = [q for q in questionnaire.questions if q.scored and q.id in answers]
    points = {q.id: score_of(questionnaire, q, answers[q.id]) for q in scored}
    total = sum(points.values())
    bands = questionnaire.scoring.bands
    band = next(b for b in bands if total <= b.up_to)
    threshold = questionnaire.scoring.stands_out_from
    strong = sorted(
        (q for q in scored if points[q.id] >= threshold),
        key=lambda q: -points[q.id],  # stable: equal answers keep questionnaire order
    )
    rule = questionnaire.scoring.huisarts
    duration = _answer_on_scale(questionnaire, answers, "duration")
    physical = max((points[q.id] for q in scored if q.physical), default=0)
    mood = max((int(answers[q.id]) for q in questionnaire.questions
                if q.mood and q.id in answers), default=0)
    mood_high = rule.mood_from is not None and mood >= rule.mood_from
    reasons = []
    if band.name in rule.bands:
        reasons.append("veel klachten")
    if (rule.duration_from is not None and duration is not None
            and duration >= rule.duration_from and band is not bands[0]):
        reasons.append("klachten die langer dan drie maanden duren")
    if rule.physical_from is not None and physical >= rule.physical_from:
        reasons.append("ook lichamelijke klachten")
    if mood_high:
        reasons.append("je vaak somber voelen")
    return CheckResult(
        total=total,
        band=band.name,
        band_label=band.label,
        band_text=band.text,
        stand_out=[q.complaint or q.id for q in strong][:MAX_STAND_OUT],
        huisarts_reasons=reasons,
        complete=questionnaire.next_question(answers) is None,
        mood_high=mood_high,
    )


def _answer_on_scale(
    questionnaire: Questionnaire, answers: dict[str, int], kind: str
) -> int | None:
    question = next((q for q in questionnaire.questions
                     if questionnaire.scales[q.scale].kind == kind or q.scale == kind), None)
    return None if question is None or question.id not in answers else int(answers[question.id])


def result_message(questionnaire: Questionnaire, result: CheckResult) -> str:
    """The result in plain Dutch: band, what stood out, not a diagnosis, huisarts if it fits."""
    messages = questionnaire.messages
    parts = [
        "Dank je wel voor het invullen.",
        messages.result_band.format(label=result.band_label),
        result.band_text,
    ]
    if result.stand_out:
        parts.append("Wat eruit sprong: " + dutch_list(result.stand_out) + ".")
    parts.append(questionnaire.disclaimer)
    if result.advise_huisarts:
        parts.append(messages.huisarts.format(reasons=dutch_list(result.huisarts_reasons)))
    if result.mood_high:
        parts.append(messages.mood_line)
    parts.append(
        "Wil je er met een therapeut over praten? Plan dan een gratis telefonische kennismaking."
    )
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description="Validate a questionnaire file.")
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
    questionnaire = load_questionnaire(parser.parse_args().path)
    print(f"{questionnaire.id}: {len(questionnaire.questions)} questions, valid")


if __name__ == "__main__":
    main()

"""Reading the practice's YAML files (settings, questionnaire) with errors that name the field.

A practice edits these files by hand; a typo must stop start-up with a message that says which
field is wrong, not surface later as a wrong answer to a visitor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


# Pydantic's own messages, in Dutch: a practice owner edits these files, not a developer.
_DUTCH = {
    "value_error.missing": "ontbreekt",
    "value_error.extra": "onbekende instelling (een tikfout?)",
    "type_error.integer": "moet een heel getal zijn",
    "type_error.float": "moet een getal zijn",
    "type_error.bool": "moet true of false zijn",
    "type_error.str": "moet tekst zijn",
    "type_error.list": "moet een lijst zijn",
    "type_error.dict": "moet een lijst van namen met waarden zijn",
    "type_error.none.not_allowed": "mag niet leeg zijn",
    "value_error.date": "is geen datum (schrijf JJJJ-MM-DD)",
    "value_error.any_str.min_length": "is te kort",
    "value_error.number.not_gt": "moet groter zijn dan {limit_value}",
    "value_error.number.not_ge": "moet minstens {limit_value} zijn",
    "value_error.number.not_lt": "moet kleiner zijn dan {limit_value}",
    "value_error.number.not_le": "mag hoogstens {limit_value} zijn",
}


def describe(exc: ValidationError, what: str) -> str:
    """``Fout in <what>:`` and one line per bad field, named by its dotted path, in Dutch
    where pydantic's message is one of the common ones."""
    problems = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"] if part != "__root__")
        template = _DUTCH.get(error["type"])
        message = template.format(**error.get("ctx", {})) if template else error["msg"]
        problems.append(f"{path or what}: {message}")
    return f"Fout in {what}:\n  " + "\n  ".join(problems)


def parse_model(model: type[Model], raw: Any, what: str, error: type[Exception]) -> Model:
    """Validate ``raw`` as ``model``; ``error`` carries every bad field."""
    try:
        return model.parse_obj(raw or {})
    except ValidationError as exc:
        raise error(describe(exc, what)) from None


# libyaml's loader when PyYAML was built with it (the wheels are): the same safe schema,
# several times faster on the large files (domain, corpora, test sets).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, through libyaml when available."""
    return yaml.load(text, Loader=_SafeLoader)


def read_yaml(path: Path, what: str, error: type[Exception]) -> Any:
    """The file's YAML content; a missing file or bad YAML raises ``error`` naming the file."""
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"Bestand van {what} niet gevonden: {path}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path} is geen geldige YAML: {exc}") from None

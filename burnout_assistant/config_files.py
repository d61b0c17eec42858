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


def describe(exc: ValidationError, what: str) -> str:
    """``invalid <what>:`` followed by one line per bad field, named by its dotted path."""
    problems = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"] if part != "__root__")
        problems.append(f"{path or what}: {error['msg']}")
    return f"invalid {what}:\n  " + "\n  ".join(problems)


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
        raise error(f"{what} file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path} is not valid YAML: {exc}") from None

"""One readable format for errors in the practice's YAML files (settings, questionnaire)."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError, what: str) -> str:
    """``invalid <what>:`` followed by one line per bad field, named by its dotted path."""
    problems = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"] if part != "__root__")
        problems.append(f"{path or what}: {error['msg']}")
    return f"invalid {what}:\n  " + "\n  ".join(problems)

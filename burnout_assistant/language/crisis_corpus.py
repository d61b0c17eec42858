"""The crisis corpus: messages by category, style and writer, for training and for testing.

Each writer wrote one YAML file from a brief, without seeing the patterns, the training data or
another writer's list. Positives follow the Columbia Suicide Severity Rating Scale's ladder
(wish to be dead .. preparatory acts) plus self-harm, danger from someone else, worry about
someone else and goodbyes; negatives are the look-alikes a tired person writes. The writers in
``data/crisis/`` train the detector; those in ``tests/crisis/`` never touch any tuning and are
the project's test set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from burnout_assistant.config_files import load_yaml
from burnout_assistant.language.safety import CrisisKind

# Corpus categories and the kind of answer each needs.
POSITIVE_CATEGORIES: dict[str, CrisisKind] = {
    "wish_dead": CrisisKind.SELF,
    "thoughts": CrisisKind.SELF,
    "method": CrisisKind.SELF,
    "intent": CrisisKind.SELF,
    "plan": CrisisKind.SELF,
    "preparation": CrisisKind.SELF,
    "self_harm": CrisisKind.SELF,
    "danger_from_other": CrisisKind.VIOLENCE,
    "worry_other": CrisisKind.OTHER,
    "goodbye": CrisisKind.SELF,
}
NEGATIVE_CATEGORIES = (
    "hyperbole", "escape_wish", "old_life", "work_exhaustion", "low_mood_not_crisis",
    "media_and_subject", "games_fiction", "injuries", "medication_everyday", "grief_and_loss",
)
STYLES = ("direct", "indirect", "metaphor", "flemish", "chat", "english")


@dataclass(frozen=True)
class CorpusMessage:
    text: str
    kind: CrisisKind
    category: str
    style: str  # one of STYLES for positives, "" for negatives
    writer: str

    @property
    def is_crisis(self) -> bool:
        return self.kind is not CrisisKind.NONE


def load_writer(path: Path) -> list[CorpusMessage]:
    """One writer's file; unknown categories or styles are an error, not silently dropped."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    writer = str(data["writer"])
    messages: list[CorpusMessage] = []
    for category, styles in (data.get("positives") or {}).items():
        if category not in POSITIVE_CATEGORIES:
            raise ValueError(f"{path.name}: unknown positive category {category!r}")
        for style, texts in styles.items():
            if style not in STYLES:
                raise ValueError(f"{path.name}: unknown style {style!r} in {category}")
            kind = POSITIVE_CATEGORIES[category]
            messages += [CorpusMessage(str(t), kind, category, style, writer) for t in texts or []]
    for category, texts in (data.get("negatives") or {}).items():
        if category not in NEGATIVE_CATEGORIES:
            raise ValueError(f"{path.name}: unknown negative category {category!r}")
        messages += [CorpusMessage(str(t), CrisisKind.NONE, category, "", writer)
                     for t in texts or []]
    return messages


def load_corpus(folders: Iterable[Path]) -> list[CorpusMessage]:
    """Every writer file in the given folders, in a stable order."""
    messages: list[CorpusMessage] = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yml")):
            messages += load_writer(path)
    return messages


def writers(messages: Iterable[CorpusMessage]) -> list[str]:
    return sorted({m.writer for m in messages})

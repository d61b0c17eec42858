"""A seeded, stratified train/held-out split of the project's NLU data, as a trainable project.

Both configurations are trained on the same train part and scored on the same held-out part,
so the comparison measures the pipeline and not the luck of the draw. Stratified per full label
(``faq/cortisol`` apart from ``faq/magnesium``) so every faq topic is seen in training and in
the test, and seeded so two runs on two machines compare the same utterances.
"""

from __future__ import annotations

import random
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from devtools.evaluation import Example, load_examples

TEST_FRACTION = 0.2
SEED = 20240601


@dataclass(frozen=True)
class Split:
    train: list[Example]
    test: list[Example]


def split_examples(
    examples: Iterable[Example], test_fraction: float = TEST_FRACTION, seed: int = SEED
) -> Split:
    """Per label, a seeded shuffle of the sorted examples; the first part is held out.

    Labels with a single example stay in training (a test of one label nobody can learn says
    nothing). The result does not depend on the order the files were read in.
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    train: list[Example] = []
    test: list[Example] = []
    for label in sorted(by_label):
        group = sorted(set(by_label[label]), key=lambda e: e.text)
        random.Random(f"{seed}:{label}").shuffle(group)
        held = max(1, round(len(group) * test_fraction)) if len(group) > 1 else 0
        test += group[:held]
        train += group[held:]
    return Split(train, test)


def to_nlu_yaml(examples: Sequence[Example]) -> str:
    """Rasa 3 YAML training data, one block per label, in a stable order."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example.text)
    blocks = [
        {"intent": label, "examples": "".join(f"- {text}\n" for text in by_label[label])}
        for label in sorted(by_label)
    ]
    return yaml.dump(
        {"version": "3.1", "nlu": blocks}, Dumper=_LiteralDumper, allow_unicode=True,
        sort_keys=False, width=1000,
    )


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, the way Rasa's own files look."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def project_examples(root: Path) -> list[Example]:
    """Every intent example under ``data/nlu`` (faq examples keep their ``faq/<topic>`` label)."""
    files = sorted((root / "data" / "nlu").rglob("*.yml"))
    return [example for path in files for example in load_examples(path)]


def non_intent_blocks(root: Path) -> list[dict]:
    """Synonyms, regexes and lookup tables: kept whole in the train part, they are not examples."""
    blocks: list[dict] = []
    for path in sorted((root / "data" / "nlu").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks += [b for b in data.get("nlu", []) if "intent" not in b]
    return blocks


def write_split_project(root: Path, target: Path, split: Split) -> Path:
    """``target`` with domain.yml, data/rules, data/stories and the train part; returns target.

    The held-out part goes to ``target/test.yml`` and is never under ``target/data``.
    """
    data = target / "data"
    (data / "nlu").mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "domain.yml", target / "domain.yml")
    for folder in ("rules", "stories"):
        if (root / "data" / folder).is_dir():
            shutil.copytree(root / "data" / folder, data / folder, dirs_exist_ok=True)
    (data / "nlu" / "train.yml").write_text(to_nlu_yaml(split.train), encoding="utf-8")
    extra = non_intent_blocks(root)
    if extra:
        (data / "nlu" / "extra.yml").write_text(
            yaml.safe_dump({"version": "3.1", "nlu": extra}, allow_unicode=True),
            encoding="utf-8",
        )
    (target / "test.yml").write_text(to_nlu_yaml(split.test), encoding="utf-8")
    return target

"""The configurations the bench trains: Rasa's default (as ``rasa init`` writes it) and ours.

Rasa's default is taken from the installed Rasa itself, so the comparison follows the Rasa
version the project pins: ``rasa init`` writes a config.yml whose pipeline and policies are
commented out, and Rasa fills in ``default_config.yml`` at training time. Only the language
changes (``nl``), because the data is Dutch. Quick (smoke) runs cap the epochs of every
trained component, which makes their accuracy meaningless but exercises the whole path.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from typing import Any

import yaml

ML_COMPONENTS = {"DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy"}
DEFAULT_LANGUAGE = "nl"


def rasa_package_dir() -> Path:
    """The installed ``rasa`` package folder, found without importing Rasa (slow)."""
    spec = importlib.util.find_spec("rasa")
    if spec is None or spec.origin is None:
        raise RuntimeError("rasa is not installed in this environment")
    return Path(spec.origin).parent


def init_config_text() -> str:
    """config.yml exactly as ``rasa init`` writes it for this Rasa version."""
    return (rasa_package_dir() / "cli" / "initial_project" / "config.yml").read_text()


def recipe_defaults() -> dict[str, Any]:
    """The pipeline and policies Rasa fills in when config.yml leaves them empty."""
    path = rasa_package_dir() / "engine" / "recipes" / "config_files" / "default_config.yml"
    return yaml.safe_load(path.read_text())


def default_config_text(init_text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``rasa init``'s config with only the language changed; comments kept as written."""
    changed, count = re.subn(r"(?m)^language:.*$", f"language: {language}", init_text)
    if count != 1:
        raise ValueError("expected exactly one top-level 'language:' line in the init config")
    return changed


def ensure_default_config(path: Path) -> Path:
    """(Re)write ``path`` so it always matches the installed Rasa's ``rasa init`` config."""
    text = default_config_text(init_config_text())
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def completed(config: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``config`` with an empty pipeline or policies filled from ``defaults``, as Rasa does."""
    result = copy.deepcopy(config)
    for key in ("pipeline", "policies"):
        if not result.get(key):
            result[key] = copy.deepcopy(defaults[key])
    return result


def capped_epochs(config: dict[str, Any], cap: int) -> dict[str, Any]:
    """A copy where every trained component runs at most ``cap`` epochs (smoke runs only)."""
    result = copy.deepcopy(config)
    for key in ("pipeline", "policies"):
        for component in result.get(key) or []:
            if component.get("name") in ML_COMPONENTS or "epochs" in component:
                component["epochs"] = min(int(component.get("epochs", cap)), cap)
    return result


def quick_config_text(text: str, cap: int, defaults: dict[str, Any] | None = None) -> str:
    """The config in ``text`` with its defaults made explicit and its epochs capped."""
    config = completed(yaml.safe_load(text), defaults or recipe_defaults())
    return yaml.safe_dump(capped_epochs(config, cap), allow_unicode=True, sort_keys=False)

"""The package's shape, checked: rooms import inward only, no Rasa inside, small files.

docs/architecture.md draws the rooms; this test keeps the drawing true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "burnout_assistant"
# Inner rooms first: a room may import itself and the rooms before it, never those after it.
ROOMS = ["kernel", "language", "check", "records", "booking", "privacy", "dialogue", "apps"]
KERNEL = {"settings", "config_files", "names", "bounded"}
MAX_LINES = 400


def _room_of(module: str) -> str | None:
    """``burnout_assistant.booking.slots`` -> ``booking``; kernel modules -> ``kernel``."""
    parts = module.split(".")
    if parts[0] != "burnout_assistant" or len(parts) < 2:
        return None
    return "kernel" if parts[1] in KERNEL else parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # ``from burnout_assistant import names`` names a module, not an attribute
            if node.module == "burnout_assistant":
                found += [f"burnout_assistant.{alias.name}" for alias in node.names]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_lives_in_a_known_room() -> None:
    rooms = {_room_of(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in MODULES
             if p.name != "__init__.py" or p.parent != PACKAGE}
    assert rooms <= set(ROOMS), rooms - set(ROOMS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_inward(path: Path) -> None:
    own = _room_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
    if own is None:  # the package's own __init__
        return
    outward = [m for m in _imports(path)
               if (room := _room_of(m)) is not None and ROOMS.index(room) > ROOMS.index(own)]
    assert outward == [], f"{own} imports outer rooms: {outward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_never_imports_rasa(path: Path) -> None:
    rasa = [m for m in _imports(path) if m.split(".")[0] in {"rasa", "rasa_sdk"}]
    assert rasa == [], "Rasa belongs in actions/, channels/ and nlu_components/"


def test_no_python_file_is_longer_than_the_limit() -> None:
    files = [*MODULES, *sorted((ROOT / "actions").glob("*.py"))]
    long = {str(p.relative_to(ROOT)): n for p in files
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_harnesses_stay_out_of_the_product_package() -> None:
    for path in MODULES:
        harness = [m for m in _imports(path) if m.split(".")[0] in {"devtools", "tests", "bench"}]
        assert harness == [], f"{path.relative_to(ROOT)} imports {harness}"

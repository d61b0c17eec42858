"""Rasa test stories against the trained model, failing on any prediction error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_conversation_stories(model_path: Path, tmp_path: Path) -> None:
    rasa = str(Path(sys.executable).with_name("rasa"))
    result = subprocess.run(
        [rasa, "test", "core", "--model", str(model_path), "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    output = result.stdout[-3000:] + result.stderr[-3000:]
    details = failed.read_text() if failed.exists() else output
    assert result.returncode == 0, details

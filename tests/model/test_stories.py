"""Rasa test stories against the trained model, failing on any prediction error.

They run in process on the session's agent (the model the NLU tests load), through the same
evaluation ``rasa test core`` runs, instead of loading the model once more in a subprocess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).parents[2]


def test_conversation_stories(agent, run_async, tmp_path: Path) -> None:
    from rasa.core.test import WrongPredictionException
    from rasa.core.test import test as core_test

    try:
        result = run_async(core_test(
            str(ROOT / "tests" / "stories"), agent, out_directory=str(tmp_path),
            fail_on_prediction_errors=True, disable_plotting=True))
    except WrongPredictionException:
        failed = tmp_path / "failed_test_stories.yml"
        pytest.fail(failed.read_text() if failed.exists() else "a story failed")
    assert result["actions"], "no story was evaluated"
    assert result["accuracy"] == 1.0

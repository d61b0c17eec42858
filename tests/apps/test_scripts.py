"""The shell scripts: no Python hidden in shell, no secrets printed, chat before setup."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [*sorted((ROOT / "scripts").iterdir()), ROOT / "deploy" / "entrypoint.sh",
           ROOT / ".ci" / "run"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_python_is_embedded_in_shell(script: Path) -> None:
    text = script.read_text()
    assert not re.search(r"python[0-9.]*\"?\s+-c\b", text), "python -c in a shell script"
    assert "<<" not in text or "python" not in text.split("<<", 1)[1].split("\n", 1)[0]
    assert "tail -n 1" not in text, "a path read from the last output line"
    assert not re.search(r"\bsed\s+-i\b", text), "a file rewritten with sed"


def test_the_run_banner_never_prints_the_telegram_token() -> None:
    run = (ROOT / "scripts" / "run").read_text()
    banner = run[run.index("cat <<MSG"):]
    assert "TELEGRAM_BOT_TOKEN" not in banner and "RASA_AUTH_TOKEN" not in banner


def test_validation_runs_once_in_the_test_command() -> None:
    calls = re.findall(r"/rasa\" data validate", (ROOT / "scripts" / "test").read_text())
    assert len(calls) == 1


def test_chat_works_before_setup(tmp_path: Path) -> None:
    """A checkout without .venv: the terminal chat still starts (standard library only)."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "chat", checkout / "scripts" / "chat")
    shutil.copytree(ROOT / "devtools", checkout / "devtools",
                    ignore=shutil.ignore_patterns("__pycache__"))
    python3 = shutil.which("python3")
    assert python3, "python3 on PATH"
    env = {"PATH": f"{Path(python3).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(["bash", str(checkout / "scripts" / "chat"), "--help"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()
    assert not (checkout / ".venv").exists()


def test_training_names_the_model_in_a_file(tmp_path: Path) -> None:
    """Scripts read the model's path from the file the training module writes."""
    path_file = tmp_path / "current"
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "burnout_assistant.apps.training",
         "--print-path", "--path-file", str(path_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    written = Path(path_file.read_text().strip())
    assert written.parent == ROOT / "models" and written.name.startswith("assistant-")

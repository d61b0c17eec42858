"""Rasa's hello-world assistant, as `rasa init` makes it, served beside ours as the yardstick.

`rasa init --no-prompt` writes the moodbot project (default pipeline and policies, no custom
actions, in-memory tracker store) and trains it. The project and its model are cached under
artifacts/bench/moodbot, keyed by the installed Rasa version, so a benchmark run trains it once.
It is served exactly as `rasa run` would, on its REST channel, on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from burnout_assistant.apps.processes import free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "artifacts" / "bench" / "moodbot"


def _rasa() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def ensure_moodbot(timeout: float = 1200) -> Path:
    """The moodbot project folder with its trained model (made once per Rasa version)."""
    project = CACHE / rasa_version()
    if list((project / "models").glob("*.tar.gz")):
        return project
    project.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    with (project.parent / "init.log").open("w") as log:
        subprocess.run([_rasa(), "init", "--no-prompt", "--init-dir", str(project)],
                       cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                       check=True, timeout=timeout)
    if not list((project / "models").glob("*.tar.gz")):
        raise SystemExit(f"rasa init trained no model; see {project.parent / 'init.log'}")
    return project


@dataclass
class Moodbot:
    url: str
    pid: int

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"


@contextmanager
def running_moodbot(project: Path, log_path: Path) -> Iterator[Moodbot]:
    """`rasa run` in the moodbot's folder, as its README says; stopped on the way out."""
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [_rasa(), "run", "--model", str(model), "--port", str(port),
             "--interface", "127.0.0.1"],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", proc, seconds=300)
            yield Moodbot(f"http://127.0.0.1:{port}", proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

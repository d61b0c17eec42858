"""Session fixtures: one trained model per input state, one pair of servers per session."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    """Poll ``url`` until it answers; fail fast if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the NLU evaluation report, so the test command always shows the F1."""
    from tests.model.test_nlu import REPORT

    if REPORT:
        terminalreporter.section("NLU evaluation (independent test set)")
        for line in REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model; trains only if config, domain or data changed since the last run."""
    from burnout_assistant.training import ensure_model

    return ensure_model(ROOT, quiet=True)


@pytest.fixture(scope="session")
def agent(model_path: Path):
    """Rasa agent loaded in-process, for NLU-level checks without HTTP."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


@pytest.fixture(scope="session")
def parse(agent):
    """Parse a text through the full NLU pipeline (guard, classifiers, crisis override)."""
    loop = asyncio.new_event_loop()

    def _parse(text: str) -> dict:
        return loop.run_until_complete(agent.parse_message(text))

    yield _parse
    loop.close()


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    workdir: Path

    def send(self, sender: str, text: str) -> list[dict]:
        from burnout_assistant.terminal_chat import send

        return send(f"{self.rasa_url}/webhooks/rest/webhook", sender, text, timeout=60)


@pytest.fixture(scope="session")
def servers(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A real action server and Rasa server on free loopback ports, SQLite tracker store."""
    workdir = tmp_path_factory.mktemp("servers")
    rasa_port, action_port = free_port(), free_port()
    (workdir / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{workdir}/tracker.db"\n'
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    rasa_bin = str(Path(sys.executable).with_name("rasa"))
    logs = [open(workdir / "actions.log", "w"), open(workdir / "rasa.log", "w")]  # noqa: SIM115
    actions = subprocess.Popen(
        [rasa_bin, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, stdout=logs[0], stderr=subprocess.STDOUT, env=env,
    )
    rasa = subprocess.Popen(
        [rasa_bin, "run", "--model", str(model_path), "--endpoints", str(workdir / "endpoints.yml"),
         "--credentials", str(ROOT / "credentials.yml"), "--port", str(rasa_port),
         "--interface", "127.0.0.1"],
        cwd=ROOT, stdout=logs[1], stderr=subprocess.STDOUT, env=env,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", actions)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/", rasa)
        yield Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", workdir)
    finally:
        for proc in (rasa, actions):
            proc.terminate()
        for proc in (rasa, actions):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for handle in logs:
            handle.close()

"""deploy/rasa_cli.py: Rasa's command line without what a process never uses."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from burnout_assistant.apps.processes import free_port, wait_for_http
from burnout_assistant.apps.replicas import RASA_CLI
from deploy.rasa_cli import kept_out

ROOT = Path(__file__).parents[2]


def test_the_action_server_keeps_tensorflow_out_the_rasa_server_only_jax() -> None:
    assert "tensorflow" in kept_out(["run", "actions", "--actions", "actions"])
    server = kept_out(["run", "--model", "models/x.tar.gz"])
    assert "jax" in server and "tensorflow" not in server


def test_the_action_server_starts_with_tensorflow_settings_in_its_environment(
        tmp_path: Path) -> None:
    """An operator who tunes TensorFlow for the Rasa server in a shared environment: Rasa's
    command line would import TensorFlow for them, which the action server keeps out."""
    port = free_port()
    env = {**os.environ, "TF_INTER_OP_PARALLELISM_THREADS": "1",
           "TF_INTRA_OP_PARALLELISM_THREADS": "1"}
    with (tmp_path / "actions.log").open("w") as log:
        server = subprocess.Popen(
            [*RASA_CLI, "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/health", server)
            maps = Path(f"/proc/{server.pid}/maps").read_text()
            assert "libtensorflow" not in maps
        finally:
            server.terminate()
            server.wait(timeout=20)

"""Local servers as processes: a free loopback port, waiting until one answers, stopping it.

The embedded calendar (radicale_server) and the replicas of the scaled deployment start
processes this way; the test harness (devtools/) uses the same helpers.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int, host: str = "127.0.0.1", timeout: float = 2) -> bool:
    """Whether something accepts connections on ``host:port`` (a local PostgreSQL, Redis)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_http(
    url: str, proc: subprocess.Popen, seconds: float = 180, poll: float = 0.5
) -> None:
    """Poll ``url`` until the server answers (any status, even 404); fail fast if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # an error status is still an answer: the server is up
        except OSError:
            time.sleep(poll)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def stop_process(proc: subprocess.Popen | None, seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL after ``seconds``: never left running, never waited on for long."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=seconds)

"""Several Rasa servers and action servers on one PostgreSQL tracker store and Redis lock store.

The scaled deployment (deploy/) runs replicas behind a load balancer. This module starts the
same shape on one machine as real processes, so the replica and fault tests exercise the very
``endpoints.scaled.yml`` a deployment uses (its ``${VAR}`` placeholders filled from the
environment). It also holds the one routing rule the deployment depends on: every message of
a conversation goes to the same replica, chosen by a stable hash of the sender id. Open-source
Rasa's Redis lock store cannot serialise one conversation across replicas on its own
(rasa#9213), so routing is the first guard and the lock store only the second.

Subprocesses only: this package stays free of Rasa imports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from burnout_assistant.apps.launch import ROOT, deployment_settings, rasa_server_args
from burnout_assistant.apps.processes import free_port, stop_process, wait_for_http

SCALED_ENDPOINTS = ROOT / "endpoints.scaled.yml"
CONVERSATION_HEADER = "X-Conversation-Id"
# Rasa's command line without what a process never uses (deploy/rasa_cli.py), run from ROOT.
RASA_CLI = (sys.executable, "-m", "deploy.rasa_cli")
STOP_SECONDS = 20


@dataclass(frozen=True)
class ScaledStores:
    """Where the shared stores are; becomes the environment ``endpoints.scaled.yml`` reads."""

    tracker_db: str
    redis_key_prefix: str
    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = "postgres"
    db_password: str = ""
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 5
    redis_password: str = ""

    def env(self, action_url: str) -> dict[str, str]:
        """The variables of ``endpoints.scaled.yml`` for one Rasa server."""
        return {
            "ACTION_ENDPOINT_URL": action_url,
            "TRACKER_DB_HOST": self.db_host,
            "TRACKER_DB_PORT": str(self.db_port),
            "TRACKER_DB_NAME": self.tracker_db,
            "TRACKER_DB_USER": self.db_user,
            "TRACKER_DB_PASSWORD": self.db_password,
            "REDIS_HOST": self.redis_host,
            "REDIS_PORT": str(self.redis_port),
            "REDIS_DB": str(self.redis_db),
            "REDIS_PASSWORD": self.redis_password,
            "REDIS_KEY_PREFIX": self.redis_key_prefix,
        }


def replica_for(sender: str, count: int) -> int:
    """The replica that serves ``sender``: stable across processes and restarts.

    Python's own ``hash`` is salted per process, so a digest is used: two load balancer
    instances (or a restarted one) must agree on the replica for a conversation.
    """
    if count < 1:
        raise ValueError("at least one replica is needed")
    digest = hashlib.sha256(sender.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass
class Reply:
    """One answer of the website channel: HTTP status and the reply dicts."""

    status: int
    messages: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return " ".join(m.get("text", "") for m in self.messages)


def post_message(url: str, sender: str, text: str, timeout: float = 60) -> Reply:
    """POST one message to the website channel, with the routing header the widget sends.

    Error statuses are returned, not raised: a friendly refusal or failure text is part of
    what a visitor sees.
    """
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {"Content-Type": "application/json", CONVERSATION_HEADER: sender}
    request = urllib.request.Request(url, body, headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, json.loads(response.read() or b"[]"))
    except urllib.error.HTTPError as error:
        raw = error.read() or b"[]"
        try:
            return Reply(error.code, json.loads(raw))
        except ValueError:
            return Reply(error.code, [{"text": raw.decode("utf-8", "replace")}])


def stop_server(proc: subprocess.Popen | None) -> None:
    """Terminate a server and, should it leave any behind, its Sanic worker processes."""
    if proc is None or proc.poll() is not None:
        return
    try:
        import psutil  # a development dependency: the tests and the benchmark stop workers
    except ImportError:
        psutil = None
    workers = []
    if psutil is not None:
        try:
            workers = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            workers = []
    stop_process(proc, STOP_SECONDS)
    if workers and psutil is not None:
        _, alive = psutil.wait_procs(workers, timeout=STOP_SECONDS)
        for worker in alive:
            worker.kill()


@dataclass
class Replica:
    """One Rasa server with its own action server, as one pod of the deployment."""

    index: int
    rasa_port: int
    action_port: int
    workdir: Path
    env: dict[str, str]
    rasa: subprocess.Popen | None = None
    actions: subprocess.Popen | None = None
    _logs: list[TextIO] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}/webhooks/web/webhook"

    @property
    def rasa_log(self) -> Path:
        return self.workdir / f"rasa-{self.index}.log"

    def send(self, sender: str, text: str, timeout: float = 60) -> Reply:
        return post_message(self.webhook_url, sender, text, timeout)

    def start_actions(self) -> None:
        """Start (or restart) the action server on its fixed port and wait until it answers."""
        log = (self.workdir / f"actions-{self.index}.log").open("a")
        self._logs.append(log)
        self.actions = subprocess.Popen(
            [*RASA_CLI, "run", "actions", "--actions", "actions",
             "--port", str(self.action_port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env,
        )
        wait_for_http(f"{self.action_url}/health", self.actions)

    def kill_actions(self) -> None:
        """SIGKILL the action server, as a crash or an evicted container would end it."""
        if self.actions is not None and self.actions.poll() is None:
            self.actions.send_signal(signal.SIGKILL)
            self.actions.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        for proc in (self.rasa, self.actions):
            stop_server(proc)
        for log in self._logs:
            log.close()
        self._logs.clear()


def _launch_rasa(
    replica: Replica, model: Path, endpoints: Path, auth_token: str, settings_file: Path | None,
    workers: int = 1,
) -> None:
    log = replica.rasa_log.open("a")
    replica._logs.append(log)
    # Sanic workers: processes sharing the port, each with its own model; Rasa allows more
    # than one only with a lock store that works across processes (Redis here).
    env = {**replica.env, "SANIC_WORKERS": str(workers)}
    replica.rasa = subprocess.Popen(
        [*RASA_CLI, "run", "--model", str(model), "--endpoints", str(endpoints),
         *rasa_server_args(settings_file, auth_token),
         "--port", str(replica.rasa_port), "--interface", "127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )


@dataclass
class ReplicaSet:
    replicas: list[Replica]
    auth_token: str

    def __getitem__(self, index: int) -> Replica:
        return self.replicas[index]

    def __len__(self) -> int:
        return len(self.replicas)

    def routed(self, sender: str) -> Replica:
        """The replica a sender-hashing load balancer sends this conversation to."""
        return self.replicas[replica_for(sender, len(self.replicas))]

    def tracker_events(self, sender: str, timeout: float = 30) -> list[dict[str, Any]]:
        """All events of a conversation through Rasa's HTTP API (any replica: shared store)."""
        url = (f"{self.replicas[0].rasa_url}/conversations/{sender}/tracker"
               f"?include_events=ALL&token={self.auth_token}")
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())["events"]


@contextmanager
def running_replicas(
    model: Path,
    workdir: Path,
    stores: ScaledStores | list[ScaledStores],
    count: int = 2,
    env: dict[str, str] | None = None,
    endpoints: Path = SCALED_ENDPOINTS,
    load_seconds: float = 600,
    rasa_workers: int = 1,
) -> Iterator[ReplicaSet]:
    """``count`` Rasa servers, replica i calling action server i, all on the shared stores.

    ``rasa_workers`` Sanic worker processes per Rasa server (one core each); the action
    servers keep one (a round trip is a few ms of their time against tens in Rasa).

    Every process starts at once (a Rasa server takes 30-60 s and ~1.2 GB to load its
    model), and all are stopped on the way out, even when starting failed. A list of
    ``stores`` gives each replica its own (e.g. one pointing at an unreachable Redis).
    """
    per_replica = stores if isinstance(stores, list) else [stores] * count
    if len(per_replica) != count:
        raise ValueError("one ScaledStores per replica")
    auth_token = secrets.token_urlsafe(24)
    base_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    settings = base_env.get("PRACTICE_SETTINGS")
    settings_file = Path(settings) if settings else None
    workdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        replicas = []
        for index, replica_stores in enumerate(per_replica):
            action_port = free_port()
            replica = Replica(
                index, free_port(), action_port, workdir,
                {**base_env, **replica_stores.env(f"http://127.0.0.1:{action_port}/webhook")},
            )
            stack.callback(replica.stop)
            replicas.append(replica)
            _launch_rasa(replica, model, endpoints, auth_token, settings_file, rasa_workers)
        for replica in replicas:
            replica.start_actions()
        for replica in replicas:
            assert replica.rasa is not None
            wait_for_http(f"{replica.rasa_url}/", replica.rasa, seconds=load_seconds)
        yield ReplicaSet(replicas, auth_token)


def prepare_deployment(
    source: Path, target: Path, calendar_url: str | None, outbox_dir: str | None = None
) -> Path:
    """One-shot start of a deployment: settings file, leads migrations, calendar collection.

    Run once before the replicas start (the compose file's ``init`` service), so several
    action servers do not race to create the same tables or calendar.
    """
    from burnout_assistant.booking.calendar import ensure_calendar
    from burnout_assistant.records.leads import LeadStore
    from burnout_assistant.settings import load_settings

    written = deployment_settings(source, target, calendar_url, outbox_dir)
    settings = load_settings(written)
    store = LeadStore(settings.leads.url)
    try:
        store.migrate()
    finally:
        store.dispose()
    ensure_calendar(settings.calendar.url, settings.calendar.username, settings.calendar.password)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m burnout_assistant.apps.replicas prepare``: ready a deployment's shared stores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser(
        "prepare", help="write the container's practice settings, migrate leads, make the calendar"
    )
    prepare.add_argument("--source", type=Path, default=ROOT / "practice.yml")
    prepare.add_argument("--out", type=Path, required=True)
    prepare.add_argument("--calendar-url", default=os.environ.get("CALENDAR_URL") or None)
    prepare.add_argument("--outbox-dir", default=os.environ.get("OUTBOX_DIR") or None,
                         help="where mail goes while no SMTP host is set")
    args = parser.parse_args(argv)
    written = prepare_deployment(args.source, args.out, args.calendar_url, args.outbox_dir)
    print(f"deployment ready; practice settings in {written}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

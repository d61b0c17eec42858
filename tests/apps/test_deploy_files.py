"""The scaled deployment's files: endpoints, compose, nginx, Dockerfile, and the sender hash.

Docker images cannot be pulled here, so what can be checked without them is checked: the files
parse and agree with each other, Rasa reads the endpoints file as a deployment would, the
tracker store class retries as documented, and (where installed) docker compose and nginx
accept the files.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from burnout_assistant.apps.replicas import (
    SCALED_ENDPOINTS,
    ScaledStores,
    deployment_settings,
    replica_for,
)
from burnout_assistant.config_files import load_yaml
from tests.conftest import nginx_binary

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
NGINX = DEPLOY / "nginx.conf"
DOCKERFILE = DEPLOY / "Dockerfile"
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "RASA_AUTH_TOKEN", "DASHBOARD_SECRET_KEY")


def endpoints_yaml() -> str:
    """endpoints.scaled.yml without its comments (which explain the placeholders)."""
    lines = SCALED_ENDPOINTS.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def endpoint_vars() -> set[str]:
    return set(PLACEHOLDER.findall(endpoints_yaml()))


def compose() -> dict:
    return load_yaml(COMPOSE.read_text())  # PyYAML resolves the <<: merge keys


def services_named(prefix: str) -> list[str]:
    return sorted(name for name in compose()["services"] if re.fullmatch(rf"{prefix}-\d+", name))


def env_file(tmp_path: Path) -> Path:
    """deploy/env.example with every required secret filled with a dummy."""
    text = (DEPLOY / "env.example").read_text()
    for name in SECRETS:
        text = re.sub(rf"^{name}=$", f"{name}=dummy", text, flags=re.M)
    path = tmp_path / "env"
    path.write_text(text)
    return path


# -- endpoints.scaled.yml ---------------------------------------------------------------------


def test_rasa_fills_every_placeholder_of_the_scaled_endpoints(monkeypatch) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    stores = ScaledStores(tracker_db="tracker", redis_key_prefix="praktijk", db_host="pg",
                          redis_host="cache", redis_db=3)
    for name, value in stores.env("http://actions-7:5055/webhook").items():
        monkeypatch.setenv(name, value)
    assert set(stores.env("x")) == endpoint_vars()  # the test helper sets exactly the file's

    tracker = read_endpoint_config(str(SCALED_ENDPOINTS), "tracker_store")
    assert tracker.type == "deploy.tracker_store.ReconnectingSQLTrackerStore"
    assert tracker.url == "pg"
    assert tracker.kwargs["dialect"] == "postgresql" and tracker.kwargs["db"] == "tracker"
    assert int(tracker.kwargs["port"]) == 5432 and tracker.kwargs["password"] == ""
    lock = read_endpoint_config(str(SCALED_ENDPOINTS), "lock_store")
    assert lock.type == "deploy.lock_store.AtomicRedisLockStore" and lock.url == "cache"
    assert int(lock.kwargs["db"]) == 3 and lock.kwargs["key_prefix"].isalnum()
    action = read_endpoint_config(str(SCALED_ENDPOINTS), "action_endpoint")
    assert action.url == "http://actions-7:5055/webhook"


def test_scaled_endpoints_fail_loudly_on_a_missing_variable(monkeypatch) -> None:
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    for name in endpoint_vars():
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("TRACKER_DB_HOST")
    with pytest.raises(RasaException, match="TRACKER_DB_HOST"):
        read_endpoint_config(str(SCALED_ENDPOINTS), "tracker_store")


def test_no_placeholder_is_quoted() -> None:
    """Rasa substitutes ${VAR} only in plain YAML scalars: a quoted one stays literal."""
    assert not re.search(r"[\"']\$\{", endpoints_yaml())


# -- deploy/tracker_store.py ------------------------------------------------------------------


@pytest.fixture
def reconnecting_store(tmp_path: Path):
    from deploy.tracker_store import ReconnectingSQLTrackerStore

    store = ReconnectingSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    yield store
    store.engine.dispose()


def test_reconnecting_store_pings_pooled_connections(reconnecting_store) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    assert isinstance(reconnecting_store, SQLTrackerStore)
    assert reconnecting_store.engine.pool._pre_ping is True
    assert reconnecting_store.sessionmaker.kw["bind"] is reconnecting_store.engine


def test_reconnecting_store_retries_while_the_database_is_away(
    reconnecting_store, monkeypatch
) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.exc import OperationalError

    import deploy.tracker_store as module

    calls = {"n": 0}

    async def flaky(self, sender_id, fetch_events_from_all_sessions):
        calls["n"] += 1
        if calls["n"] < 3:
            raise OperationalError("SELECT", {}, ConnectionError("restarting"))
        return None

    monkeypatch.setattr(SQLTrackerStore, "_retrieve", flaky)
    monkeypatch.setattr(module, "RETRY_PAUSE", 0.01)
    assert asyncio.run(reconnecting_store.retrieve("someone")) is None
    assert calls["n"] == 3

    calls["n"] = -10**6  # down for good: the retry ends at its bound and the error surfaces
    monkeypatch.setattr(module, "RETRY_SECONDS", 0.2)
    with pytest.raises(OperationalError):
        asyncio.run(reconnecting_store.retrieve("someone"))


# -- docker-compose.yml -----------------------------------------------------------------------


def test_compose_has_every_part_of_the_scaled_deployment() -> None:
    services = compose()["services"]
    for name in ("postgres", "redis", "radicale", "prepare", "jobs", "dashboard", "nginx"):
        assert name in services, name
    assert len(services_named("rasa")) >= 2 and len(services_named("action")) >= 2
    for name, service in services.items():
        if "build" in service:
            assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
        else:  # images from a registry are pinned to a version
            assert ":" in service["image"] and not service["image"].endswith(":latest"), name


def test_each_rasa_replica_has_the_stores_and_its_own_action_server() -> None:
    services = compose()["services"]
    action_urls = set()
    for name in services_named("rasa"):
        env = services[name]["environment"]
        assert endpoint_vars() <= set(env), (name, endpoint_vars() - set(env))
        host = re.fullmatch(r"http://([a-z0-9-]+):5055/webhook", env["ACTION_ENDPOINT_URL"])
        assert host and host.group(1) in services, name
        action_urls.add(env["ACTION_ENDPOINT_URL"])
        assert "postgres" in services[name]["depends_on"] and "redis" in services[name][
            "depends_on"]
    assert len(action_urls) == len(services_named("rasa"))  # replica i → action server i
    for name in ("jobs", "dashboard"):  # they read the tracker store from the same file
        env = services[name]["environment"]
        assert {v for v in endpoint_vars() if v.startswith("TRACKER_DB_")} <= set(env), name


def test_compose_roles_exist_in_the_entrypoint() -> None:
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    roles = set(re.findall(r"^  ([a-z]+)\)$", entrypoint, flags=re.M))
    for name, service in compose()["services"].items():
        if "build" in service:
            assert service["command"][0] in roles, name
    syntax = subprocess.run(["sh", "-n", str(DEPLOY / "entrypoint.sh")], capture_output=True)
    assert syntax.returncode == 0, syntax.stderr
    assert os.access(DEPLOY / "entrypoint.sh", os.X_OK)


def test_every_required_compose_variable_is_in_env_example() -> None:
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE.read_text()))
    example = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(),
                             flags=re.M))
    assert required and required <= example, required - example


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(
        ["docker", "compose", "version"], capture_output=True
    ).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    result = subprocess.run(
        [*command, "--env-file", str(env_file(tmp_path)), "-f", str(COMPOSE), "config", "-q"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    empty = tmp_path / "empty.env"
    empty.write_text("")
    secrets = {k: v for k, v in os.environ.items() if k not in SECRETS}
    missing = subprocess.run(
        [*command, "--env-file", str(empty), "-f", str(COMPOSE), "config", "-q"],
        capture_output=True, text=True, timeout=60, env=secrets,
    )
    assert missing.returncode != 0  # without the secrets compose refuses to start


# -- nginx.conf -------------------------------------------------------------------------------


def _block(text: str, header: str) -> str:
    start = text.index(header)
    return text[start:text.index("}", start)]


def test_nginx_hashes_the_conversation_header_over_every_replica() -> None:
    conf = NGINX.read_text()
    mapping = _block(conf, "map $http_x_conversation_id $conversation_key")
    assert "default $http_x_conversation_id;" in mapping
    replicas = _block(conf, "upstream rasa_replicas")
    assert "hash $conversation_key consistent;" in replicas
    servers = set(re.findall(r"server (rasa-\d+):5005", replicas))
    assert servers == set(services_named("rasa"))
    telegram = _block(conf, "upstream rasa_telegram")
    assert re.search(r"server rasa-\d+:5005 backup;", telegram)  # one replica, one standby
    assert "location /webhooks/telegram/" in conf and "proxy_pass http://rasa_telegram" in conf


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = nginx_binary()
    conf = re.sub(r"rasa-\d+:5005", "127.0.0.1:5005", NGINX.read_text())  # no compose DNS here
    (tmp_path / "nginx.conf").write_text(conf)
    (tmp_path / "logs").mkdir()
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr


# -- Dockerfile -------------------------------------------------------------------------------


def dockerfile_steps(text: str) -> list[tuple[str, str]]:
    """(instruction, arguments) per Dockerfile step, continued lines joined, comments left out."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    return [(line.split()[0], line.split(maxsplit=1)[1]) for line in joined.splitlines()
            if line.strip()]


def pip_installs(args: str) -> list[list[str]]:
    """The arguments of every ``pip install`` in one RUN step."""
    commands = (command.split() for command in re.split(r"&&|;", args))
    return [words[2:] for words in commands if words[:2] == ["pip", "install"]]


def test_dockerfile_installs_pinned_builds_offline_and_copies_what_exists() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "\nFROM python:3.10-slim\n" in text
    assert "python -m burnout_assistant.language.spacy_base" in text and "SPACY_BASE=blank" in text
    assert "COPY ${MODEL_FILE} models/assistant.tar.gz" in text
    joined = text.replace("\\\n", " ")
    for line in re.findall(r"^COPY (.+)$", joined, flags=re.M):
        *sources, _target = line.split()
        for source in sources:
            if source != "${MODEL_FILE}":
                assert (ROOT / source).exists(), source
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert "!models/*.tar.gz" in ignored and "\n.venv\n" in ignored


def test_dockerfile_has_one_copy_of_the_code_and_installs_dependencies_first() -> None:
    """The project is installed editable without dependencies: site-packages only points at
    /app, so the code is not in the image twice (and its project root is /app). Its
    dependencies, pinned by constraints.txt, come in a layer before any code is copied."""
    steps = dockerfile_steps(DOCKERFILE.read_text())
    code = ("burnout_assistant/", "actions/", "channels/", "nlu_components/")
    first_code = min(i for i, (kind, args) in enumerate(steps)
                     if kind == "COPY" and args.startswith(code))
    project, dependencies = [], []
    for i, (kind, args) in enumerate(steps):
        for words in pip_installs(args) if kind == "RUN" else []:
            if "." in words or any(word.startswith(".[") for word in words):
                project.append((i, words))
            elif "-r" in words:
                dependencies.append((i, words))
    assert len(project) == 1, project  # one install of the code, never a second copy
    [(at, words)] = project
    assert {"-e", "--no-deps"} <= set(words) and at > first_code
    assert dependencies and all(i < first_code for i, _ in dependencies)
    assert all("-c" in words and "constraints.txt" in words for _, words in dependencies)


# -- routing and settings ---------------------------------------------------------------------


def test_sender_hash_is_stable_across_processes_and_spreads() -> None:
    senders = [f"web-{n}" for n in range(2000)]
    here = [replica_for(s, 3) for s in senders[:50]]
    script = ("from burnout_assistant.apps.replicas import replica_for;"
              "print([replica_for(f'web-{n}', 3) for n in range(50)])")
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=ROOT, check=True)
    assert there.stdout.strip() == str(here)
    for count in (2, 3):
        shares = [sum(replica_for(s, count) == i for s in senders) / len(senders)
                  for i in range(count)]
        assert all(abs(share - 1 / count) < 0.05 for share in shares), shares
    with pytest.raises(ValueError):
        replica_for("x", 0)


def test_deployment_settings_change_only_calendar_and_outbox(tmp_path: Path) -> None:
    from burnout_assistant.settings import load_settings

    target = deployment_settings(ROOT / "practice.yml", tmp_path / "s" / "practice.yml",
                                 "http://radicale:5232/praktijk/intake/", "/data/outbox")
    written, original = load_settings(target), load_settings(ROOT / "practice.yml")
    assert written.calendar.url == "http://radicale:5232/praktijk/intake/"
    assert str(written.notifications.outbox_dir) == "/data/outbox"
    assert written.practice == original.practice and written.booking == original.booking
    unchanged = deployment_settings(ROOT / "practice.yml", tmp_path / "u.yml", None)
    assert load_settings(unchanged).calendar.url == original.calendar.url


def test_jobs_and_dashboard_find_the_scaled_tracker_store(monkeypatch) -> None:
    from burnout_assistant.records.tracker_events import tracker_store_url

    for name, value in ScaledStores(tracker_db="tracker", redis_key_prefix="p",
                                    db_host="pg").env("http://a/webhook").items():
        monkeypatch.setenv(name, value)
    from sqlalchemy.engine import make_url

    url = tracker_store_url(SCALED_ENDPOINTS)
    assert url is not None
    parsed = make_url(url)
    assert (parsed.get_backend_name(), parsed.host, parsed.port, parsed.database) == (
        "postgresql", "pg", 5432, "tracker")

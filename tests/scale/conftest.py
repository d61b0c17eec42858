"""Fixtures of the scale tests: fresh PostgreSQL databases, a Redis key prefix, the replicas.

Each test session makes its own databases (tracker and leads) on the PostgreSQL at
127.0.0.1:5432 and its own lock prefix in Redis db 5, and drops them at the end, so it never
meets another session's data. Without PostgreSQL or Redis the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from burnout_assistant.apps.processes import listening
from burnout_assistant.apps.replicas import ReplicaSet, ScaledStores, running_replicas
from devtools.servers import fresh_postgres_databases

WORKERS = 2  # Sanic workers per Rasa replica, as the scaled configuration runs them

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql://postgres@127.0.0.1:5432/{db}"
REDIS_DB = 5


@pytest.fixture(scope="session")
def scale_tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def pg_databases(scale_tag: str) -> Iterator[dict[str, str]]:
    """Fresh tracker and leads databases, dropped (with their connections) at the end."""
    if not listening(5432):
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_databases(f"scale_{scale_tag}", PG_ADMIN_URL) as names:
        yield names


@pytest.fixture(scope="session")
def redis_prefix(scale_tag: str) -> Iterator[str]:
    """A lock-store key prefix of this session (letters and digits only, as Rasa requires)."""
    if not listening(6379):
        pytest.skip("no Redis at 127.0.0.1:6379")
    import redis

    prefix = f"scale{scale_tag}"
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=5)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def stores(pg_databases: dict[str, str], redis_prefix: str) -> ScaledStores:
    return ScaledStores(tracker_db=pg_databases["tracker"], redis_key_prefix=redis_prefix,
                        redis_db=REDIS_DB)


@pytest.fixture(scope="session")
def leads_url(pg_databases: dict[str, str]) -> str:
    return PG_URL.format(db=pg_databases["leads"])


@pytest.fixture(scope="session")
def scale_env(practice: dict, leads_url: str) -> dict[str, str]:
    """The practice's test settings (local Radicale), with the leads on PostgreSQL."""
    return {"PRACTICE_SETTINGS": str(practice["settings_file"]), "LEADS_DATABASE_URL": leads_url}


@pytest.fixture(scope="session")
def cluster(
    model_path: Path, stores: ScaledStores, scale_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReplicaSet]:
    """Two Rasa servers with two Sanic workers each, each with its own action server, on the
    shared PostgreSQL + Redis (the atomic lock store keeps the workers' turns apart)."""
    workdir = tmp_path_factory.mktemp("replicas")
    with running_replicas(model_path, workdir, stores, count=2, env=scale_env,
                          rasa_workers=WORKERS) as replicas:
        yield replicas


@pytest.fixture(scope="session")
def tracker_rows(pg_databases: dict[str, str]) -> Iterator:
    """Read a conversation straight from the PostgreSQL ``events`` table, in stored order."""
    engine = create_engine(PG_URL.format(db=pg_databases["tracker"]), pool_pre_ping=True)

    def rows(sender: str) -> list[dict]:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT id, type_name, timestamp, data FROM events "
                     "WHERE sender_id = :sender ORDER BY id"), {"sender": sender})
            return [{"id": r.id, "type": r.type_name, "timestamp": r.timestamp,
                     **json.loads(r.data)} for r in result]

    yield rows
    engine.dispose()

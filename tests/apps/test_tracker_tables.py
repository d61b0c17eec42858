"""Several processes starting on an empty PostgreSQL create Rasa's tables without a fight."""

from __future__ import annotations

import logging
import threading
import uuid

import pytest

from burnout_assistant.apps.processes import listening


def test_stores_starting_at_once_on_an_empty_database_log_no_error(caplog) -> None:
    """Four stores at once (as workers and replicas start): Rasa logged "Could not create
    tables" or a unique violation, and slept 5 s, for the losers of that race every time."""
    if not listening(5432):
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    from sqlalchemy import inspect

    from deploy.tracker_store import ReconnectingSQLTrackerStore
    from devtools.servers import fresh_postgres_databases

    caplog.set_level(logging.WARNING, logger="rasa.core.tracker_store")
    made = []
    with fresh_postgres_databases(f"tables_{uuid.uuid4().hex[:8]}") as names:
        barrier = threading.Barrier(4)

        def start() -> None:
            barrier.wait()
            made.append(ReconnectingSQLTrackerStore(
                dialect="postgresql", host="127.0.0.1", port="5432", db=names["tracker"],
                username="postgres"))

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        try:
            assert len(made) == 4
            assert "events" in inspect(made[0].engine).get_table_names()
            assert [r.getMessage()[:80] for r in caplog.records] == []
        finally:
            for store in made:
                store.engine.dispose()

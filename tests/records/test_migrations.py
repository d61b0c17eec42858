"""The leads migrations on real SQLite and PostgreSQL: data survives them, and they go back."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)

from burnout_assistant.records.database import PROJECT_ROOT, VERSION_TABLE, UTCDateTime
from burnout_assistant.records.erasure_queue import ErasedLead
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.schema import LeadEvent, SlotClaim, metadata

pytestmark = pytest.mark.timeout(120)

OLD_LEAD = (
    "INSERT INTO leads (reference, created_at, sender_id, channel, name, phone, topics, kind,"
    " status, notes, updated_at, slot_start, slot_end, calendar_uid) VALUES ('ABC234',"
    " '2030-01-01 10:00:00', 's1', 'web', 'Oud', '+31612345678', '[]', 'booking', 'nieuw',"
    " :notes, '2030-01-01 10:00:00', '2030-02-01 10:00:00', '2030-02-01 10:20:00', 'uid-1')"
)


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url, future=True)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_migration_0004_keeps_old_notes_and_goes_back_down(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0003")
    engine = create_engine(database_url, future=True)
    with engine.begin() as connection:
        connection.execute(text(OLD_LEAD), {"notes": "[2030-01-01 10:00 UTC] Agenda was weg"})
    store = LeadStore(database_url)
    store.migrate()
    [event] = store.events(store.get_by_reference("ABC234").id)
    assert event.kind == "note" and "Agenda was weg" in event.note
    assert {"staff_users", "lead_events"} <= set(inspect(engine).get_table_names())
    command.downgrade(config, "0003")
    assert not {"staff_users", "lead_events"} & set(inspect(engine).get_table_names())
    store.dispose()
    engine.dispose()


def test_migration_0005_drops_notes_but_no_claim_or_audit_line(database_url: str) -> None:
    """SQLite copies the table to drop a column; the rows that refer to it must survive."""
    config = alembic_config(database_url)
    command.upgrade(config, "0004")
    engine = create_engine(database_url, future=True)
    with engine.begin() as connection:
        connection.execute(text(OLD_LEAD), {"notes": ""})
        connection.execute(text(
            "INSERT INTO slot_claims (slot_start, lead_id, created_at) SELECT slot_start, id,"
            " created_at FROM leads"))
        connection.execute(text(
            "INSERT INTO lead_events (lead_id, at, actor, kind, note) SELECT id, created_at,"
            " 'anna@praktijk.nl', 'note', 'gebeld' FROM leads"))
    store = LeadStore(database_url)
    store.migrate()
    assert "notes" not in columns(database_url, "leads")
    lead = store.get_by_reference("ABC234")
    assert [e.note for e in store.events(lead.id)] == ["gebeld"]
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(SlotClaim)) == 1
        assert session.scalar(select(func.count()).select_from(LeadEvent)) == 1
    store.set_status(lead.id, "gebeld", note="na de migratie")  # foreign keys hold again
    store.dispose()

    command.downgrade(config, "0004")
    assert "notes" in columns(database_url, "leads")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT notes FROM leads")) == ""
    engine.dispose()


def test_sqlite_enforces_foreign_keys_after_migrating() -> None:
    """In memory there is one connection for everything: the migration must give it back
    with foreign keys on, or erasing a lead would leave its claim holding the slot."""
    store = LeadStore("sqlite://")
    store.migrate()
    with store.transaction() as session:
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
    store.dispose()


def model_differences(store: LeadStore) -> list:
    """What ``alembic revision --autogenerate`` would write for this database: [] when none."""
    with store._engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        return compare_metadata(context, metadata)


def test_migration_0006_adds_the_erasure_log_and_goes_back_down(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0005")
    store = LeadStore(database_url)
    # A backup of a database the assistant has not migrated yet: no log, and none made.
    assert store.erasure_log() == []
    assert "erasure_log" not in inspect(store._engine).get_table_names()

    store.migrate()
    lead = store.create_lead(sender_id="s1", channel="web", name="Oud", phone="+31612345678",
                             kind="callback")
    assert store.erase_conversation("s1") == 1
    [entry] = store.erasure_log()
    assert (entry.reference, entry.lead_id, entry.announced_at) == (lead.reference, lead.id, None)
    assert model_differences(store) == []

    store.dispose()
    command.downgrade(config, "0005")
    engine = create_engine(database_url, future=True)
    assert "erasure_log" not in inspect(engine).get_table_names()
    engine.dispose()
    store = LeadStore(database_url)
    assert store.erasure_log() == []
    store.dispose()


def test_migration_0006_keeps_a_log_made_on_first_use(database_url: str) -> None:
    """Before 0006 the code created the table itself, so a database at 0005 (or one that
    ``pg_restore --clean`` put back to 0005 around it) may have it, with erasures in it."""
    config = alembic_config(database_url)
    command.upgrade(config, "0005")
    engine = create_engine(database_url, future=True)
    made_on_first_use = Table(  # the definition the code had before 0006
        "erasure_log", MetaData(),
        Column("reference", String(6), primary_key=True),
        Column("lead_id", Integer, primary_key=True),
        Column("erased_at", UTCDateTime, nullable=False),
        Column("announced_at", UTCDateTime, nullable=True),
    )
    erased_at = datetime(2030, 1, 1, 10, 0, tzinfo=timezone.utc)
    with engine.begin() as connection:
        made_on_first_use.create(connection)
        connection.execute(made_on_first_use.insert().values(
            reference="ABC234", lead_id=7, erased_at=erased_at))
    engine.dispose()

    store = LeadStore(database_url)
    store.migrate()
    logged = ErasedLead("ABC234", 7, erased_at)
    assert store.erasure_log() == [logged]
    store.mark_announced(logged)  # the jobs' staff notice still finds its line
    assert store.erasure_log()[0].announced_at is not None
    assert model_differences(store) == []
    if database_url.startswith("postgresql"):  # named as the models name it
        assert inspect(store._engine).get_pk_constraint("erasure_log")["name"] == "pk_erasure_log"
    store.dispose()

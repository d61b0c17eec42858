"""The leads store's side of the dashboard: audit trail, listing, and the 0004 migration."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from burnout_assistant.records.leads import PROJECT_ROOT, LeadStore
from tests.apps.dashboard.conftest import EMAIL
from tests.apps.dashboard.leads import booking, callback

pytestmark = pytest.mark.timeout(120)


def test_status_changes_and_notes_form_one_audit_trail(store: LeadStore) -> None:
    lead = booking(store, 1)
    store.set_status(lead.id, "gebeld", actor=EMAIL)
    store.set_status(lead.id, "gebeld", note="geen gehoor", actor=EMAIL)  # same status: a note
    store.set_status(lead.id, "gebeld", actor=EMAIL)  # nothing new: nothing recorded
    store.add_note(lead.id, "mailt zelf", EMAIL)
    store.cancel(lead.id)  # the visitor cancelled in the chat
    trail = [(e.kind, e.actor, e.old_status, e.new_status, e.note) for e in store.events(lead.id)]
    assert trail == [
        ("status", EMAIL, "nieuw", "gebeld", None),
        ("note", EMAIL, None, None, "geen gehoor"),
        ("note", EMAIL, None, None, "mailt zelf"),
        ("status", "assistent", "gebeld", "geannuleerd", None),
    ]
    with pytest.raises(ValueError):
        store.add_note(lead.id, "  ", EMAIL)


def test_erasing_a_conversation_takes_its_audit_trail(store: LeadStore) -> None:
    lead, kept = callback(store, 1), callback(store, 2)
    store.add_note(lead.id, "terugbellen", EMAIL)
    store.add_note(kept.id, "blijft", EMAIL)
    assert store.all_sender_ids() == {lead.sender_id, kept.sender_id}
    assert store.erase_conversation(lead.sender_id) == 1
    assert store.events(lead.id) == [] and len(store.events(kept.id)) == 1
    assert store.all_sender_ids() == {kept.sender_id}


def test_migration_0004_keeps_old_notes_and_goes_back_down(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "0003")
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO leads (reference, created_at, sender_id, channel, name, phone, topics,"
            " kind, status, notes, updated_at) VALUES ('ABC234', '2030-01-01 10:00:00', 's1',"
            " 'web', 'Oud', '+31612345678', '[]', 'callback', 'nieuw',"
            " '[2030-01-01 10:00 UTC] Agenda was onbereikbaar', '2030-01-01 10:00:00')"))
    store = LeadStore(url)
    store.migrate()
    [event] = store.events(store.get_by_reference("ABC234").id)
    assert event.kind == "note" and "Agenda was onbereikbaar" in event.note
    assert {"staff_users", "lead_events"} <= set(inspect(engine).get_table_names())
    command.downgrade(config, "0003")
    assert not {"staff_users", "lead_events"} & set(inspect(engine).get_table_names())
    store.dispose()
    engine.dispose()


def test_retention_helpers_find_and_delete_old_leads(store: LeadStore) -> None:
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    old = callback(store, 1, created_at=now - timedelta(days=400))
    older = callback(store, 2, created_at=now - timedelta(days=500))
    new = callback(store, 3)
    store.add_note(old.id, "weg ermee", EMAIL)
    assert [lead.id for lead in store.created_before(now - timedelta(days=365))] == [
        older.id, old.id]
    assert store.delete_leads([old.id, older.id]) == 2 and store.delete_leads([]) == 0
    assert store.get(old.id) is None and store.events(old.id) == []
    assert store.get(new.id) is not None

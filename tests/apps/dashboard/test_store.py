"""The leads store's side of the dashboard: the audit trail, and what erasure and retention
delete with a lead (the migrations are tested in tests/records/test_migrations.py)."""

from __future__ import annotations

import pytest

from burnout_assistant.records.leads import LeadStore
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

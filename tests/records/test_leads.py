"""The leads store on real SQLite and PostgreSQL: schema, references, exactly-once booking."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, inspect, select

from burnout_assistant.records import leads as leads_module
from burnout_assistant.records.database import LeadsUnavailable
from burnout_assistant.records.leads import ConsentRequired, LeadStore, SlotTaken
from burnout_assistant.records.references import REFERENCE_ALPHABET
from burnout_assistant.records.schema import Lead, SlotClaim, metadata

pytestmark = pytest.mark.timeout(120)

UTC = timezone.utc
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2030, 12, 3, 9, 0, tzinfo=UTC)  # di 3 dec 10:00 in Amsterdam
END = START + timedelta(minutes=20)


def person(n: int = 0, sender: str | None = None) -> dict:
    return {
        "sender_id": sender or f"conv-{n}",
        "channel": "web",
        "name": f"Bezoeker {n}",
        "phone": f"+3161234{n:04d}",
    }


def callback(n: int = 0, **extra) -> dict:
    return {**person(n), "kind": "callback", **extra}


def count(store: LeadStore, model) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_migrate_creates_both_tables_with_their_constraints(database_url: str) -> None:
    store = LeadStore(database_url)
    store.migrate()
    store.migrate()  # a second start of the assistant is a no-op
    inspector = inspect(store._engine)
    assert {"leads", "slot_claims", "leads_alembic_version"} <= set(inspector.get_table_names())
    lead_uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("leads")}
    assert {("reference",), ("calendar_uid",)} <= lead_uniques
    claim_uniques = {
        tuple(u["column_names"]) for u in inspector.get_unique_constraints("slot_claims")
    }
    assert ("slot_start",) in claim_uniques
    assert [fk["referred_table"] for fk in inspector.get_foreign_keys("slot_claims")] == ["leads"]
    assert any(ix["column_names"] == ["sender_id"] for ix in inspector.get_indexes("leads"))
    store.dispose()


def test_migration_matches_the_models(store: LeadStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store._engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": "leads_alembic_version"}
        )
        assert compare_metadata(context, metadata) == []


def test_create_and_get_by_reference(store: LeadStore) -> None:
    lead = store.create_lead(**callback(1, preferred_times="liefst 's ochtends"))
    assert re.fullmatch(f"[{REFERENCE_ALPHABET}]{{6}}", lead.reference)
    assert not set(lead.reference) & set("01OIL")
    assert lead.status == "nieuw"
    assert lead.created_at.tzinfo is not None and lead.created_at.utcoffset() == timedelta(0)

    spoken = f" {lead.reference[:3].lower()} {lead.reference[3:].lower()} "
    found = store.get_by_reference(spoken)
    assert found is not None and found.id == lead.id
    assert found.name == "Bezoeker 1" and found.preferred_times == "liefst 's ochtends"
    assert store.get_by_reference("ZZZZZZ" if lead.reference != "ZZZZZZ" else "YYYYYY") is None
    assert store.get_by_reference("K7M3Q") is None  # too short: not even asked


def test_reference_collision_draws_a_new_one(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store.create_lead(**callback(1))
    draws = iter([first.reference, first.reference, "K7M3QP"])
    monkeypatch.setattr(leads_module, "new_reference", lambda: next(draws))
    second = store.create_lead(**callback(2))
    assert second.reference == "K7M3QP"


def test_health_data_needs_consent(store: LeadStore) -> None:
    with pytest.raises(ConsentRequired):
        store.create_lead(**callback(1, check_band="hoog"))
    with pytest.raises(ConsentRequired):
        store.create_lead(**callback(2, topics=["slaap"]))
    assert count(store, Lead) == 0
    lead = store.create_lead(
        **callback(3, check_answers={"uitputting": 4}, check_band="hoog", consent_at=START)
    )
    assert store.get(lead.id).check_answers == {"uitputting": 4}


def test_find_for_change_needs_reference_and_phone(store: LeadStore) -> None:
    lead = store.book_slot(person(1), START, END, "uid-1")
    other = store.create_lead(**callback(2))
    assert store.find_for_change(lead.reference.lower(), "+31 6 1234 0001").id == lead.id
    assert store.find_for_change(lead.reference, other.phone) is None
    assert store.find_for_change(other.reference, lead.phone) is None
    assert store.find_for_change("", lead.phone) is None
    assert store.find_for_change(lead.reference, "") is None


def test_times_are_stored_as_instants(store: LeadStore) -> None:
    local_start = START.astimezone(AMSTERDAM)
    lead = store.book_slot(person(1), local_start, local_start + timedelta(minutes=20), "u")
    stored = store.get(lead.id)
    assert stored.slot_start == START and stored.slot_start.utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        store.book_slot(person(2), START.replace(tzinfo=None), END.replace(tzinfo=None), "v")


def test_book_slot_exactly_once_under_concurrency(store: LeadStore) -> None:
    threads, barrier = 10, threading.Barrier(10)
    booked: list[Lead] = []
    taken: list[int] = []
    errors: list[BaseException] = []

    def book(n: int) -> None:
        barrier.wait()
        try:
            booked.append(store.book_slot(person(n), START, END, f"uid-{n}"))
        except SlotTaken:
            taken.append(n)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=book, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert len(booked) == 1 and len(taken) == threads - 1
    assert count(store, Lead) == 1  # the losers left no lead behind
    assert count(store, SlotClaim) == 1
    assert store.get(booked[0].id).slot_start == START


def test_same_calendar_uid_books_once(store: LeadStore) -> None:
    first = store.book_slot(person(1), START, END, "uid-retry")
    again = store.book_slot(person(1), START, END, "uid-retry")
    assert again.id == first.id and again.reference == first.reference
    assert count(store, Lead) == 1


def test_concurrent_retries_of_one_booking_return_one_lead(store: LeadStore) -> None:
    barrier = threading.Barrier(5)
    results: list[int] = []
    errors: list[BaseException] = []

    def book() -> None:
        barrier.wait()
        try:
            results.append(store.book_slot(person(1), START, END, "uid-same").id)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=book) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert len(results) == 5 and len(set(results)) == 1
    assert count(store, Lead) == 1


def test_cancel_releases_the_slot(store: LeadStore) -> None:
    first = store.book_slot(person(1), START, END, "uid-1")
    with pytest.raises(SlotTaken):
        store.book_slot(person(2), START, END, "uid-2")
    cancelled = store.cancel(first.id)
    assert cancelled.status == "geannuleerd"
    second = store.book_slot(person(2), START, END, "uid-2")
    assert second.id != first.id
    assert store.get(first.id).status == "geannuleerd"  # kept for staff, just without a claim


def test_reschedule_moves_the_claim(store: LeadStore) -> None:
    later = START + timedelta(hours=1)
    lead = store.book_slot(person(1), START, END, "uid-1")
    moved = store.reschedule(lead.id, later, later + timedelta(minutes=20))
    assert (moved.slot_start, moved.slot_end) == (later, later + timedelta(minutes=20))
    assert count(store, SlotClaim) == 1
    freed = store.book_slot(person(2), START, END, "uid-2")  # the old start is free again
    with pytest.raises(SlotTaken):
        store.reschedule(lead.id, START, END)
    assert store.get(lead.id).slot_start == later  # a failed move changes nothing
    assert store.get(freed.id).slot_start == START


def test_cancelled_lead_is_not_rescheduled(store: LeadStore) -> None:
    lead = store.book_slot(person(1), START, END, "uid-1")
    store.cancel(lead.id)
    with pytest.raises(ValueError):
        store.reschedule(lead.id, START, END)


def test_set_status_appends_notes_and_cancelling_frees_the_slot(store: LeadStore) -> None:
    lead = store.book_slot(person(1), START, END, "uid-1")
    store.set_status(lead.id, "gebeld", "voicemail ingesproken")
    updated = store.set_status(lead.id, "geannuleerd", "wil toch niet")
    assert updated.status == "geannuleerd"
    notes = [e.note for e in store.events(lead.id)]
    assert notes == ["voicemail ingesproken", "wil toch niet"]
    assert count(store, SlotClaim) == 0
    with pytest.raises(ValueError):
        store.set_status(lead.id, "weg")


def test_erase_conversation(store: LeadStore) -> None:
    store.book_slot(person(1, sender="erase-me"), START, END, "uid-1")
    store.create_lead(**{**callback(2), "sender_id": "erase-me"})
    kept = store.create_lead(**callback(3))
    assert store.erase_conversation("erase-me") == 2
    assert store.erase_conversation("erase-me") == 0
    assert count(store, Lead) == 1 and store.get(kept.id) is not None
    assert count(store, SlotClaim) == 0
    store.book_slot(person(4), START, END, "uid-4")  # the erased lead's slot is free


def test_old_leads_are_found_and_deleted_with_their_claims(store: LeadStore) -> None:
    now = datetime.now(UTC)
    store.book_slot({**person(1), "created_at": now - timedelta(days=400)}, START, END, "u1")
    store.create_lead(**callback(2, created_at=now - timedelta(days=366)))
    recent = store.create_lead(**callback(3, created_at=now - timedelta(days=364)))
    old = store.created_before(now - timedelta(days=365))
    assert len(old) == 2 and old[0].created_at < old[1].created_at
    assert store.delete_leads([lead.id for lead in old]) == 2
    assert count(store, Lead) == 1 and store.get(recent.id) is not None
    assert count(store, SlotClaim) == 0


def test_unreachable_postgres_is_leads_unavailable(closed_port: int) -> None:
    store = LeadStore(f"postgresql://postgres@127.0.0.1:{closed_port}/test")
    began = time.monotonic()
    with pytest.raises(LeadsUnavailable):
        store.migrate()
    with pytest.raises(LeadsUnavailable):
        store.create_lead(**callback(1))
    with pytest.raises(LeadsUnavailable):
        store.book_slot(person(1), START, END, "uid-1")
    with pytest.raises(LeadsUnavailable):
        store.get_by_reference("K7M3QP")
    assert time.monotonic() - began < 15
    store.dispose()


def test_sqlite_that_cannot_be_opened_is_leads_unavailable(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = LeadStore(f"sqlite:///{blocker / 'leads.db'}")
    with pytest.raises(LeadsUnavailable):
        store.migrate()
    with pytest.raises(LeadsUnavailable):
        store.get(1)


def test_unmigrated_database_is_leads_unavailable(database_url: str) -> None:
    store = LeadStore(database_url)
    with pytest.raises(LeadsUnavailable):
        store.create_lead(**callback(1))
    store.dispose()


def test_error_text_carries_no_personal_data(database_url: str) -> None:
    store = LeadStore(database_url)
    with pytest.raises(LeadsUnavailable) as caught:
        store.create_lead(**callback(1))
    chain = f"{caught.value!r} {caught.value.__cause__!s}"
    assert "Bezoeker 1" not in chain and "+31612340001" not in chain
    store.dispose()


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_an_empty_store(store: LeadStore, run: int) -> None:
    """Guards the fixtures: the store is migrated once per session and emptied per test."""
    assert count(store, Lead) == 0 and count(store, SlotClaim) == 0
    store.book_slot(person(run), START, END, "uid-same-each-run")


def test_each_test_gets_an_empty_database(database_url: str) -> None:
    """Guards the fixtures: leftovers of another test would hide a broken migration."""
    engine = create_engine(database_url, future=True)
    assert "leads" not in inspect(engine).get_table_names()
    engine.dispose()

"""The erasure queue, and the leads an erasure or retention run takes away.

"Verwijder mijn gegevens" only queues the conversation (the chat cannot erase the tracker it
is still writing to); ``privacy/erasure.py`` works through the queue. Retention
(``privacy/retention.py``) finds old leads here and deletes them the same way.

Every lead erased on request leaves one line in the erasure log (``erasure_log``): its booking
code, its id and when, nothing personal. A backup taken before the erasure still holds the lead,
so a restore carries the current log forward and erases those leads again
(``privacy/restore.py``), and the jobs send staff the mail that asks them to delete the earlier
mails about that booking code. The table is ``schema.ErasureLogEntry``, made by migration 0006;
reading the log of a database that predates it (a backup or restore before the assistant has
migrated it) finds no erasures, which is what such a database holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from burnout_assistant.records.database import Database, as_utc, utc_now
from burnout_assistant.records.schema import (
    ErasureLogEntry,
    ErasureRequest,
    Lead,
    LeadEvent,
    SlotClaim,
)

# The log is read and written as a table (rows of plain values, an INSERT that skips lines
# already there), not as ORM objects.
ERASURE_LOG: Table = ErasureLogEntry.__table__


@dataclass(frozen=True)
class ErasedLead:
    """One line of the erasure log: which lead went and when, never who it was."""

    reference: str
    lead_id: int
    erased_at: datetime
    announced_at: datetime | None = None


class ErasureQueue(Database):
    """Queued erasures, and deleting leads with their claims and audit trail."""

    def request_erasure(self, sender_id: str) -> None:
        """Queue the conversation's tracker for erasure (idempotent)."""
        with self.transaction() as session:
            if session.get(ErasureRequest, sender_id) is None:
                session.add(ErasureRequest(sender_id=sender_id))

    def pending_erasures(self, requested_before: datetime) -> list[str]:
        """Conversations queued for erasure before ``requested_before``."""
        with self.transaction() as session:
            return list(session.scalars(
                select(ErasureRequest.sender_id)
                .where(ErasureRequest.requested_at < as_utc(requested_before))
            ))

    def complete_erasure(self, sender_id: str) -> None:
        with self.transaction() as session:
            request = session.get(ErasureRequest, sender_id)
            if request is not None:
                session.delete(request)

    def leads_of(self, sender_id: str) -> list[Lead]:
        """Every lead of one conversation (for erasure: their calendar events go too)."""
        with self.transaction() as session:
            return list(session.scalars(select(Lead).where(Lead.sender_id == sender_id)))

    def erase_conversation(self, sender_id: str) -> int:
        """Delete every lead of one conversation, with its claims; returns how many leads.

        The erasure log gets a line per lead in the same transaction, so an erased lead is
        always logged (the chat's erasure job and the dashboard's "Wissen" both come here).
        """
        with self.transaction() as session:
            log = ERASURE_LOG
            leads = session.execute(
                select(Lead.id, Lead.reference).where(Lead.sender_id == sender_id)).all()
            if leads:  # a line already there (a concurrent erasure of the same lead) stays
                session.execute(_insert_new(session, log), [
                    {"reference": lead.reference, "lead_id": lead.id, "erased_at": utc_now()}
                    for lead in leads])
            return _delete(session, select(Lead.id).where(Lead.sender_id == sender_id))

    # -- the erasure log ------------------------------------------------------------------------

    def erasure_log(self) -> list[ErasedLead]:
        """Every logged erasure, oldest first."""
        with self.transaction() as session:
            if not inspect(session.connection()).has_table(ERASURE_LOG.name):
                return []  # not migrated to 0006 yet: nothing can have been logged here
            log = ERASURE_LOG
            rows = session.execute(select(log).order_by(log.c.erased_at, log.c.lead_id))
            return [ErasedLead(**row._mapping) for row in rows]

    def merge_erasure_log(self, entries: Iterable[ErasedLead]) -> int:
        """Add the lines this log lacks (a restore carries the newer log forward).

        A line already here keeps its earliest erasure time and learns a staff mail sent
        elsewhere. Returns how many lines were added.
        """
        added = 0
        with self.transaction() as session:
            log = ERASURE_LOG
            for entry in entries:
                key = and_(log.c.reference == entry.reference, log.c.lead_id == entry.lead_id)
                row = session.execute(select(log).where(key)).first()
                if row is None:
                    session.execute(log.insert().values(
                        reference=entry.reference, lead_id=entry.lead_id,
                        erased_at=entry.erased_at, announced_at=entry.announced_at))
                    added += 1
                    continue
                changes: dict[str, Any] = {}
                if entry.erased_at < row.erased_at:
                    changes["erased_at"] = entry.erased_at
                if row.announced_at is None and entry.announced_at is not None:
                    changes["announced_at"] = entry.announced_at
                if changes:
                    session.execute(update(log).where(key).values(**changes))
        return added

    def returned_erasures(self) -> list[tuple[Lead, ErasedLead]]:
        """Logged leads that are back (a restored backup): same id AND booking code.

        Both must match: after a restore a new lead may get an erased lead's id again.
        """
        with self.transaction() as session:
            log = ERASURE_LOG
            rows = session.execute(
                select(Lead, log).join(log, and_(log.c.lead_id == Lead.id,
                                                 log.c.reference == Lead.reference))
                .order_by(Lead.id)
            ).all()
            return [(row[0], ErasedLead(row.reference, row.lead_id, row.erased_at,
                                        row.announced_at)) for row in rows]

    def unannounced_erasures(self) -> list[ErasedLead]:
        """Erasures staff have not been mailed about yet."""
        return [entry for entry in self.erasure_log() if entry.announced_at is None]

    def mark_announced(self, entry: ErasedLead) -> None:
        with self.transaction() as session:
            log = ERASURE_LOG
            session.execute(update(log).where(
                log.c.reference == entry.reference, log.c.lead_id == entry.lead_id,
            ).values(announced_at=utc_now()))

    def all_sender_ids(self) -> set[str]:
        """Conversations that have a lead: retention keeps their tracker events."""
        with self.transaction() as session:
            return set(session.scalars(select(Lead.sender_id).distinct()))

    def created_before(self, before: datetime) -> list[Lead]:
        """Leads created before ``before``, oldest first (retention looks at each one)."""
        with self.transaction() as session:
            return list(session.scalars(
                select(Lead).where(Lead.created_at < as_utc(before))
                .order_by(Lead.created_at, Lead.id)
            ))

    def delete_leads(self, lead_ids: Iterable[int]) -> int:
        """Delete these leads with their claims and audit trail; returns how many."""
        ids = list(lead_ids)
        if not ids:
            return 0
        with self.transaction() as session:
            return _delete(session, select(Lead.id).where(Lead.id.in_(ids)))


def _insert_new(session: Session, table: Table) -> Any:
    """INSERT that skips rows whose key exists (both databases we run on know it)."""
    if session.connection().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _delete(session: Session, ids_query: Any) -> int:
    ids = list(session.scalars(ids_query))
    if not ids:
        return 0
    session.execute(delete(SlotClaim).where(SlotClaim.lead_id.in_(ids)))
    session.execute(delete(LeadEvent).where(LeadEvent.lead_id.in_(ids)))
    session.execute(delete(Lead).where(Lead.id.in_(ids)))
    return len(ids)

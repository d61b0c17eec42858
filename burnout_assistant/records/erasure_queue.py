"""The erasure queue, and the leads an erasure or retention run takes away.

"Verwijder mijn gegevens" only queues the conversation (the chat cannot erase the tracker it
is still writing to); ``privacy/erasure.py`` works through the queue. Retention
(``privacy/retention.py``) finds old leads here and deletes them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from burnout_assistant.records.database import Database, as_utc
from burnout_assistant.records.schema import ErasureRequest, Lead, LeadEvent, SlotClaim


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
        """Delete every lead of one conversation, with its claims; returns how many leads."""
        with self.transaction() as session:
            return _delete(session, select(Lead.id).where(Lead.sender_id == sender_id))

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


def _delete(session: Session, ids_query: Any) -> int:
    ids = list(session.scalars(ids_query))
    if not ids:
        return 0
    session.execute(delete(SlotClaim).where(SlotClaim.lead_id.in_(ids)))
    session.execute(delete(LeadEvent).where(LeadEvent.lead_id.in_(ids)))
    session.execute(delete(Lead).where(Lead.id.in_(ids)))
    return len(ids)

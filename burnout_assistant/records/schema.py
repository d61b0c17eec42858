"""The tables of the leads database, in the one ``metadata`` that Alembic and its checks read.

Migrations live in ``migrations/``; a change here needs a new migration there (the test
``test_migration_matches_the_models`` compares the two).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

from burnout_assistant.records.database import UTCDateTime, utc_now
from burnout_assistant.records.references import REFERENCE_LENGTH

KINDS = ("booking", "callback")
STATUSES = ("nieuw", "gebeld", "ingepland", "afgerond", "geannuleerd")
CANCELLED = "geannuleerd"
# What the audit trail records: a status change (maybe with a note), a note, an export.
EVENT_KINDS = ("status", "note", "export")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


class Lead(Base):
    """A person who asked to be called: a booked intro call or a callback request."""

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(REFERENCE_LENGTH), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    name = Column(String(200), nullable=False)
    phone = Column(String(20), nullable=False)
    email = Column(String(254), nullable=True)
    consent_at = Column(UTCDateTime, nullable=True)
    check_answers = Column(JSON, nullable=True)
    check_band = Column(String(32), nullable=True)
    topics = Column(JSON, nullable=False, default=list)
    preferred_times = Column(Text, nullable=True)
    slot_start = Column(UTCDateTime, nullable=True)
    slot_end = Column(UTCDateTime, nullable=True)
    calendar_uid = Column(String(255), nullable=True, unique=True)
    kind = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="nieuw")
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now, onupdate=utc_now)
    reminded_at = Column(UTCDateTime, nullable=True)  # the reminder mail went out

    def __repr__(self) -> str:  # no personal data in logs or tracebacks
        return f"<Lead id={self.id} ref={self.reference} kind={self.kind} status={self.status}>"


class SlotClaim(Base):
    """The application lock on a start time: UNIQUE, so only one lead can hold it."""

    __tablename__ = "slot_claims"

    id = Column(Integer, primary_key=True)
    slot_start = Column(UTCDateTime, nullable=False, unique=True)
    lead_id = Column(
        Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)


class LeadEvent(Base):
    """One line of a lead's audit trail: who changed its status or wrote a note, and when.

    The single record of what happened to a lead after it came in; it goes when the lead is
    erased (ON DELETE CASCADE, and deleted explicitly for databases that do not enforce it).
    """

    __tablename__ = "lead_events"
    __table_args__ = (CheckConstraint(f"kind IN {EVENT_KINDS!r}", name="kind"),)

    id = Column(Integer, primary_key=True)
    lead_id = Column(
        Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at = Column(UTCDateTime, nullable=False, default=utc_now)
    actor = Column(String(254), nullable=False)  # a staff email, or "assistent"
    kind = Column(String(16), nullable=False)
    old_status = Column(String(16), nullable=True)
    new_status = Column(String(16), nullable=True)
    note = Column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"<LeadEvent id={self.id} lead={self.lead_id} kind={self.kind}>"


class StaffUser(Base):
    """A practice staff member who may log in to the dashboard (see ``staff.py``).

    Defined here, beside the leads, so the one ``metadata`` holds every table of the leads
    database.
    """

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(200), nullable=False, default="")
    password_hash = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    # Login throttling per account: consecutive failures and until when attempts are refused.
    failed_logins = Column(Integer, nullable=False, default=0)
    last_failed_at = Column(UTCDateTime, nullable=True)
    locked_until = Column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:  # no email in logs or tracebacks
        return f"<StaffUser id={self.id}>"


class ErasureRequest(Base):
    """A conversation whose tracker events must be deleted once it has gone quiet.

    The Rasa server re-saves a conversation after each action, so the tracker cannot be
    erased from inside the action that confirms the erasure; a job does it a minute later.
    """

    __tablename__ = "erasure_requests"

    sender_id = Column(String(255), primary_key=True)
    requested_at = Column(UTCDateTime, nullable=False, default=utc_now)


class ErasureLogEntry(Base):
    """One lead erased on request: its booking code, its id and when; nothing personal.

    A backup made before the erasure still holds the lead, so a restore carries this log
    forward and erases such leads again (``privacy/restore.py``, docs/backup.md). No foreign
    key to ``leads``: the line is meant to outlive the lead. ``records/erasure_queue.py``
    reads and writes it.
    """

    __tablename__ = "erasure_log"

    reference = Column(String(REFERENCE_LENGTH), primary_key=True)
    lead_id = Column(Integer, primary_key=True, autoincrement=False)
    erased_at = Column(UTCDateTime, nullable=False)
    announced_at = Column(UTCDateTime, nullable=True)  # staff were mailed about it

    def __repr__(self) -> str:
        return f"<ErasureLogEntry ref={self.reference} lead={self.lead_id}>"

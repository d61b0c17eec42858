"""The leads store: who asked to be called, and the slot claims that make a booking exactly-once.

CalDAV has no atomic "book if free", so a booking first claims its start time here: a row in
``slot_claims`` with a UNIQUE start. Two visitors who pick the same slot at the same moment both
try to insert that row; the database lets exactly one of them commit, and the other gets
:class:`SlotTaken` before anything is written to the calendar.

Symptom answers are health data: a lead that carries them needs ``consent_at``. Every database
failure reaches the caller as :class:`LeadsUnavailable`, so an action can answer the visitor
("bel ons even") instead of crashing, and error texts never carry the bound values (names,
phone numbers) of the statement that failed.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

UTC = timezone.utc
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Our own version table, so the leads migrations can share a database (the SQLite file of the
# embedded default, or a PostgreSQL database) with anything else that uses Alembic.
VERSION_TABLE = "leads_alembic_version"

# No 0/O, 1/I/L: a reference is read aloud over the phone and typed from a mail.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6

KINDS = ("booking", "callback")
STATUSES = ("nieuw", "gebeld", "ingepland", "afgerond", "geannuleerd")
CANCELLED = "geannuleerd"
# What the audit trail records: a status change (maybe with a note), a note, an export.
EVENT_KINDS = ("status", "note", "export")
ASSISTANT = "assistent"  # the actor of changes the visitor made in the chat
NO_BAND = "geen"  # filter value: leads without check answers
PRACTICE_TZ = ZoneInfo("Europe/Amsterdam")  # default of LeadFilter; settings.tz in the app
_HEALTH_FIELDS = ("check_answers", "check_band", "topics")
_SLOT_FIELDS = ("slot_start", "slot_end", "calendar_uid")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ATTEMPTS = 5  # reference collisions are ~1 in 10^8 per lead; retries stay bounded anyway
# Errors that mean "the database cannot be used now" (down, locked, not migrated).
_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    InternalError,
    ProgrammingError,
    PoolTimeoutError,
)

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


class LeadsUnavailable(Exception):
    """The leads database cannot be reached or used; the caller offers the phone instead."""


class SlotTaken(Exception):
    """Another lead holds a claim on this start time."""


class LeadNotFound(LookupError):
    """No lead with this id (erased, or never existed)."""


class ConsentRequired(ValueError):
    """Health data (check answers, band, topics) may only be stored with ``consent_at``."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused because its instant is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime (e.g. Europe/Amsterdam or UTC)")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """Stores instants in UTC and returns aware UTC datetimes on SQLite and PostgreSQL alike.

    SQLite keeps no offset, PostgreSQL returns the session's zone: both are normalised here so
    comparisons and the unique slot start behave the same on either database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


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
    # Unused since migration 0004: notes and status changes live in lead_events (LeadEvent).
    notes = Column(Text, nullable=False, default="")
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

    Defined here, beside the leads, so the one ``metadata`` that Alembic and the migration
    check read holds every table of the leads database.
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


@dataclass(frozen=True)
class LeadFilter:
    """What staff filter the leads list on; empty fields do not filter.

    Dates are the practice's calendar days (both inclusive), so "from Monday" means Monday
    00:00 in Amsterdam, not in UTC.
    """

    status: str | None = None
    band: str | None = None  # a band name, or NO_BAND for leads without a check
    channel: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    query: str = ""  # part of a name, email or phone number, or a booking reference
    tz: ZoneInfo = PRACTICE_TZ
    limit: int | None = 50
    offset: int = 0


class ErasureRequest(Base):
    """A conversation whose tracker events must be deleted once it has gone quiet.

    The Rasa server re-saves a conversation after each action, so the tracker cannot be
    erased from inside the action that confirms the erasure; a job does it a minute later.
    """

    __tablename__ = "erasure_requests"

    sender_id = Column(String(255), primary_key=True)
    requested_at = Column(UTCDateTime, nullable=False, default=utc_now)


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(reference: str) -> str | None:
    """``" k7m 3qp "`` → ``"K7M3QP"``; None when it cannot be one of our references."""
    cleaned = re.sub(r"[\s\-]", "", reference or "").upper()
    if len(cleaned) != REFERENCE_LENGTH or any(c not in REFERENCE_ALPHABET for c in cleaned):
        return None
    return cleaned


def _engine_for(url: str) -> Engine:
    if url.startswith("postgres://"):  # the form many hosting platforms hand out
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    options: dict[str, Any] = {"future": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False, "timeout": 15}
        database = parsed.database or ""
        if database in ("", ":memory:"):
            options["poolclass"] = StaticPool  # one shared connection, or each sees no tables
        else:
            # If this fails, connecting fails too and says so as LeadsUnavailable.
            with suppress(OSError):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **options)
        _serialise_sqlite_writes(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": 5}
    options["pool_pre_ping"] = True  # a restarted database must not cost one failed request
    return create_engine(parsed, **options)


def _serialise_sqlite_writes(engine: Engine) -> None:
    """``BEGIN IMMEDIATE`` for every transaction: writers queue on the busy timeout.

    pysqlite's default deferred transactions can deadlock two writers that both read first
    (neither can upgrade its lock) and fail one at once with "database is locked".
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class LeadStore:
    """All reads and writes of leads, each in its own short transaction; safe across threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = _engine_for(url)
        self._sessions = sessionmaker(bind=self._engine, future=True, expire_on_commit=False)

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self._engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except _UNAVAILABLE as exc:
            log.warning("leads database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
            raise LeadsUnavailable("de leads-database is niet bereikbaar") from exc

    def transaction(self) -> Any:
        """A short transaction on the leads database, for stores that share it (staff.py)."""
        return self._session()

    # -- schema ---------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest migration (``alembic upgrade head``)."""
        from alembic import command
        from alembic.config import Config

        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["configure_logger"] = False  # keep the host application's logging
        try:
            with self._engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # Two replicas starting together must not both create the tables.
                    connection.execute(text("SELECT pg_advisory_xact_lock(742017)"))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except _UNAVAILABLE as exc:
            log.warning("leads migration failed: %s", type(exc).__name__)
            raise LeadsUnavailable("de leads-database is niet bereikbaar") from exc

    # -- creating ---------------------------------------------------------------------------

    def create_lead(self, **fields: Any) -> Lead:
        """Store a lead without a slot (callbacks); bookings go through :meth:`book_slot`."""
        if any(fields.get(name) is not None for name in _SLOT_FIELDS):
            raise ValueError("a lead with a slot is stored with book_slot, which claims it")
        for _ in range(_ATTEMPTS):
            try:
                with self._session() as session:
                    return self._add_lead(session, fields)
            except IntegrityError:
                continue  # a reference collision between concurrent writers: draw again
        raise LeadsUnavailable("no free reference after several attempts")

    def book_slot(
        self, lead_fields: dict[str, Any], start: datetime, end: datetime, calendar_uid: str
    ) -> Lead:
        """Store a booking and claim its start in one transaction.

        Retrying with the same ``calendar_uid`` returns the lead stored the first time, so an
        action that is run twice books once. Raises :class:`SlotTaken` when another active
        lead holds the start.
        """
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("slot ends before it starts")
        if not calendar_uid:
            raise ValueError("calendar_uid is required (it makes a retry idempotent)")
        fields = {
            **lead_fields,
            "kind": "booking",
            "slot_start": start,
            "slot_end": end,
            "calendar_uid": calendar_uid,
        }
        for _ in range(_ATTEMPTS):
            try:
                with self._session() as session:
                    existing = self._by_calendar_uid(session, calendar_uid)
                    if existing is not None:
                        return existing
                    try:
                        self._clear_claim(session, start)
                    except SlotTaken:
                        # The holder may be this very booking, committed by a concurrent
                        # retry after our first look (each statement sees the latest commits).
                        existing = self._by_calendar_uid(session, calendar_uid)
                        if existing is not None:
                            return existing
                        raise
                    lead = self._add_lead(session, fields)
                    session.add(SlotClaim(slot_start=start, lead_id=lead.id))
                    session.flush()
                    return lead
            except IntegrityError:
                # Lost a race: to the same booking (retry returns it), to another booking of
                # this start (SlotTaken), or on a reference (draw again).
                continue
        raise SlotTaken("slot could not be claimed")

    @staticmethod
    def _by_calendar_uid(session: Session, calendar_uid: str) -> Lead | None:
        return session.scalars(select(Lead).where(Lead.calendar_uid == calendar_uid)).first()

    def _add_lead(self, session: Session, fields: dict[str, Any]) -> Lead:
        fields = dict(fields)
        kind = fields.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        status = fields.setdefault("status", "nieuw")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        for required in ("sender_id", "channel", "name", "phone"):
            if not fields.get(required):
                raise ValueError(f"{required} is required")
        if not _E164.match(fields["phone"]):
            raise ValueError("phone must be in E.164 form, e.g. +31612345678")
        if fields.get("consent_at") is None and any(fields.get(f) for f in _HEALTH_FIELDS):
            raise ConsentRequired("check answers, band and topics need consent_at")
        fields.setdefault("topics", [])
        fields.setdefault("notes", "")
        reference = new_reference()
        while session.scalar(select(Lead.id).where(Lead.reference == reference)) is not None:
            reference = new_reference()
        lead = Lead(reference=reference, **fields)
        session.add(lead)
        session.flush()
        return lead

    def _clear_claim(self, session: Session, start: datetime, keep_lead: int | None = None) -> None:
        """SlotTaken if an active lead holds ``start``; a cancelled lead's stale claim goes."""
        row = session.execute(
            select(SlotClaim.id, SlotClaim.lead_id, Lead.status)
            .join(Lead, Lead.id == SlotClaim.lead_id)
            .where(SlotClaim.slot_start == start)
        ).first()
        if row is None or row.lead_id == keep_lead:
            return
        if row.status != CANCELLED:
            raise SlotTaken("slot already claimed")
        session.execute(delete(SlotClaim).where(SlotClaim.id == row.id))
        session.flush()

    # -- reading ---------------------------------------------------------------------------

    def get(self, lead_id: int) -> Lead | None:
        with self._session() as session:
            return session.get(Lead, lead_id)

    def get_by_reference(self, reference: str) -> Lead | None:
        """Case and spaces do not matter: visitors type what they heard on the phone."""
        cleaned = normalise_reference(reference)
        if cleaned is None:
            return None
        with self._session() as session:
            return session.scalars(select(Lead).where(Lead.reference == cleaned)).first()

    def find_for_change(self, reference: str, phone_e164: str) -> Lead | None:
        """The lead only when reference AND phone match: a reference alone may be guessed."""
        cleaned = normalise_reference(reference)
        phone = re.sub(r"\s", "", phone_e164 or "")
        if cleaned is None or not phone:
            return None
        with self._session() as session:
            return session.scalars(
                select(Lead).where(Lead.reference == cleaned, Lead.phone == phone)
            ).first()

    def search(self, lead_filter: LeadFilter) -> list[Lead]:
        """The leads that match, newest first: the staff's list and its CSV export."""
        query = _filtered(select(Lead), lead_filter).order_by(
            Lead.created_at.desc(), Lead.id.desc()
        )
        if lead_filter.limit is not None:
            query = query.limit(lead_filter.limit)
        if lead_filter.offset:
            query = query.offset(lead_filter.offset)
        with self._session() as session:
            return list(session.scalars(query))

    def count(self, lead_filter: LeadFilter) -> int:
        """How many leads match, regardless of the filter's limit and offset."""
        query = _filtered(select(func.count(Lead.id)), lead_filter)
        with self._session() as session:
            return int(session.scalar(query) or 0)

    def count_new(self) -> int:
        """Leads nobody has picked up yet (status "nieuw")."""
        with self._session() as session:
            return int(session.scalar(
                select(func.count(Lead.id)).where(Lead.status == "nieuw")
            ) or 0)

    def channels(self) -> list[str]:
        """The channels leads came in through, for the list's filter."""
        with self._session() as session:
            return sorted(session.scalars(select(Lead.channel).distinct()))

    def all_sender_ids(self) -> set[str]:
        """Conversations that have a lead: retention keeps their tracker events."""
        with self._session() as session:
            return set(session.scalars(select(Lead.sender_id).distinct()))

    def events(self, lead_id: int) -> list[LeadEvent]:
        """The lead's audit trail, oldest first."""
        with self._session() as session:
            return list(session.scalars(
                select(LeadEvent).where(LeadEvent.lead_id == lead_id)
                .order_by(LeadEvent.at, LeadEvent.id)
            ))

    def pending_callbacks(self) -> list[Lead]:
        """Callback requests nobody has handled yet, oldest first."""
        with self._session() as session:
            return list(
                session.scalars(
                    select(Lead)
                    .where(Lead.kind == "callback", Lead.status == "nieuw")
                    .order_by(Lead.created_at, Lead.id)
                )
            )

    # -- changing ---------------------------------------------------------------------------

    def cancel(self, lead_id: int) -> Lead:
        """Mark the lead cancelled and free its slot for others."""
        return self.set_status(lead_id, CANCELLED)

    def reschedule(
        self, lead_id: int, start: datetime, end: datetime, calendar_uid: str | None = None
    ) -> Lead:
        """Move the lead (and its claim) to a new slot; SlotTaken leaves everything as it was."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("slot ends before it starts")
        try:
            with self._session() as session:
                lead = self._lead(session, lead_id)
                if lead.status == CANCELLED:
                    raise ValueError("a cancelled lead cannot be rescheduled")
                self._clear_claim(session, start, keep_lead=lead.id)
                claim = session.scalars(
                    select(SlotClaim).where(SlotClaim.lead_id == lead.id)
                ).first()
                if claim is None:
                    session.add(SlotClaim(slot_start=start, lead_id=lead.id))
                else:
                    claim.slot_start = start
                lead.slot_start, lead.slot_end = start, end
                if calendar_uid is not None:
                    lead.calendar_uid = calendar_uid
                session.flush()
                return lead
        except IntegrityError:
            raise SlotTaken("slot already claimed") from None

    def set_status(
        self, lead_id: int, status: str, note: str | None = None, actor: str = ASSISTANT
    ) -> Lead:
        """Change the status; the audit trail records who, when, old → new and the note.

        Setting the status it already has only records the note (if any).
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        note = (note or "").strip() or None
        with self._session() as session:
            lead = self._lead(session, lead_id)
            if lead.status != status:
                session.add(LeadEvent(lead_id=lead.id, actor=actor, kind="status",
                                      old_status=lead.status, new_status=status, note=note))
            elif note:
                session.add(LeadEvent(lead_id=lead.id, actor=actor, kind="note", note=note))
            lead.status = status
            if status == CANCELLED:
                session.execute(delete(SlotClaim).where(SlotClaim.lead_id == lead.id))
            session.flush()
            return lead

    def add_note(self, lead_id: int, note: str, actor: str) -> LeadEvent:
        """A staff note in the audit trail; notes are added, never edited."""
        note = (note or "").strip()
        if not note:
            raise ValueError("a note needs text")
        with self._session() as session:
            lead = self._lead(session, lead_id)
            entry = LeadEvent(lead_id=lead.id, actor=actor, kind="note", note=note)
            session.add(entry)
            session.flush()
            return entry

    def record_export(self, lead_ids: Iterable[int], actor: str) -> None:
        """Who exported these leads' personal data, and when."""
        with self._session() as session:
            session.add_all(
                LeadEvent(lead_id=lead_id, actor=actor, kind="export") for lead_id in lead_ids
            )

    @staticmethod
    def _lead(session: Session, lead_id: int) -> Lead:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LeadNotFound(f"no lead with id {lead_id}")
        return lead

    # -- erasing (AVG) ------------------------------------------------------------------------

    def leads_of(self, sender_id: str) -> list[Lead]:
        """Every lead of one conversation (for erasure: their calendar events go too)."""
        with self._session() as session:
            return list(session.scalars(select(Lead).where(Lead.sender_id == sender_id)))

    def erase_conversation(self, sender_id: str) -> int:
        """Delete every lead of one conversation, with its claims; returns how many leads."""
        with self._session() as session:
            return self._delete(session, select(Lead.id).where(Lead.sender_id == sender_id))

    def upcoming_bookings(self, start: datetime, end: datetime) -> list[Lead]:
        """Active bookings whose call starts in [start, end), earliest first."""
        with self._session() as session:
            return list(session.scalars(
                select(Lead)
                .where(Lead.kind == "booking", Lead.status != CANCELLED,
                       Lead.slot_start >= as_utc(start), Lead.slot_start < as_utc(end))
                .order_by(Lead.slot_start)
            ))

    def mark_reminded(self, lead_id: int) -> None:
        with self._session() as session:
            self._lead(session, lead_id).reminded_at = utc_now()

    def request_erasure(self, sender_id: str) -> None:
        """Queue the conversation's tracker for erasure (idempotent)."""
        with self._session() as session:
            if session.get(ErasureRequest, sender_id) is None:
                session.add(ErasureRequest(sender_id=sender_id))

    def pending_erasures(self, requested_before: datetime) -> list[str]:
        """Conversations queued for erasure before ``requested_before``."""
        with self._session() as session:
            return list(session.scalars(
                select(ErasureRequest.sender_id)
                .where(ErasureRequest.requested_at < as_utc(requested_before))
            ))

    def complete_erasure(self, sender_id: str) -> None:
        with self._session() as session:
            request = session.get(ErasureRequest, sender_id)
            if request is not None:
                session.delete(request)

    def created_before(self, before: datetime) -> list[Lead]:
        """Leads created before ``before``, oldest first (retention looks at each one)."""
        with self._session() as session:
            return list(session.scalars(
                select(Lead).where(Lead.created_at < as_utc(before))
                .order_by(Lead.created_at, Lead.id)
            ))

    def delete_leads(self, lead_ids: Iterable[int]) -> int:
        """Delete these leads with their claims and audit trail; returns how many."""
        ids = list(lead_ids)
        if not ids:
            return 0
        with self._session() as session:
            return self._delete(session, select(Lead.id).where(Lead.id.in_(ids)))

    @staticmethod
    def _delete(session: Session, ids_query: Any) -> int:
        ids = list(session.scalars(ids_query))
        if not ids:
            return 0
        session.execute(delete(SlotClaim).where(SlotClaim.lead_id.in_(ids)))
        session.execute(delete(LeadEvent).where(LeadEvent.lead_id.in_(ids)))
        session.execute(delete(Lead).where(Lead.id.in_(ids)))
        return len(ids)


def _filtered(query: Any, lead_filter: LeadFilter) -> Any:
    """``query`` narrowed to the leads that match the filter."""
    f = lead_filter
    if f.status:
        query = query.where(Lead.status == f.status)
    if f.band == NO_BAND:
        query = query.where(Lead.check_band.is_(None))
    elif f.band:
        query = query.where(Lead.check_band == f.band)
    if f.channel:
        query = query.where(Lead.channel == f.channel)
    if f.created_from:
        query = query.where(Lead.created_at >= _day_start(f.created_from, f.tz))
    if f.created_to:
        query = query.where(Lead.created_at < _day_start(f.created_to + timedelta(days=1), f.tz))
    if f.query.strip():
        query = query.where(or_(*_search_terms(f.query.strip()[:100])))
    return query


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


def _search_terms(query: str) -> list[Any]:
    """Name or email contains the text; the reference is it; the phone holds its digits.

    Phones are stored as E.164, so "06 1234 5678" is matched on "612345678".
    """
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", query.lower()) + "%"
    terms = [
        func.lower(Lead.name).like(pattern, escape="\\"),
        func.lower(Lead.email).like(pattern, escape="\\"),
    ]
    reference = normalise_reference(query)
    if reference:
        terms.append(Lead.reference == reference)
    digits = re.sub(r"\D", "", query).lstrip("0")
    if len(digits) >= 4 and re.fullmatch(r"[\d\s+\-().]+", query):
        terms.append(Lead.phone.like(f"%{digits}%"))
    return terms

"""Staff accounts for the dashboard: argon2 password hashes and login throttling per account.

The accounts live in the leads database (table ``staff_users``, model in ``schema.py`` so one
metadata describes the whole database), because the dashboard reads that database anyway and
a practice then has one thing to back up. Accounts are made on the command line
(``python -m burnout_assistant.apps.dashboard create-user``): there is no sign-up page to attack.

Guessing is slowed per account here (stored, so a restart does not reset it) and per client
address in the dashboard (``dashboard/auth.py``): after three failures every further attempt
waits 1, 2, 4 … seconds, at most five minutes.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from burnout_assistant.records.database import Database, utc_now
from burnout_assistant.records.schema import StaffUser

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Unknown emails are checked against this, so they cost as long as a real account.
_DUMMY_HASH = _hasher.hash("no account has this password")


class StaffExists(ValueError):
    """An account with this email already exists."""


class UnknownStaff(LookupError):
    """No account with this email."""


class WeakPassword(ValueError):
    """The password is too short or empty; the message is Dutch, for the command line."""


@dataclass(frozen=True)
class LoginResult:
    """The account when the password was right; otherwise how long the caller must wait."""

    user: StaffUser | None
    retry_after: int = 0  # seconds; > 0 means the attempt was refused without checking


def throttle_delay(failures: int) -> int:
    """Seconds to refuse attempts after ``failures`` failures in a row: 0, 0, 0, 1, 2, 4 … 300."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(2 ** min(failures - FREE_ATTEMPTS, 16), MAX_DELAY_SECONDS)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben.")


class StaffStore:
    """Staff accounts in the leads database; every call is one short transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def create_user(self, email: str, password: str, name: str = "") -> StaffUser:
        email = normalise_email(email)
        if "@" not in email:
            raise ValueError("Geef een e-mailadres op.")
        check_password_strength(password)
        password_hash = _hasher.hash(password)
        try:
            with self._database.transaction() as session:
                if session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
                    raise StaffExists(email)
                user = StaffUser(email=email, name=name.strip(), password_hash=password_hash,
                                 failed_logins=0)
                session.add(user)
                session.flush()
                return user
        except IntegrityError:  # created at the same moment by another process
            raise StaffExists(email) from None

    def set_password(self, email: str, password: str) -> None:
        """A new password; also lifts a login delay (staff reset it for a colleague)."""
        check_password_strength(password)
        password_hash = _hasher.hash(password)
        with self._database.transaction() as session:
            user = self._by_email(session, normalise_email(email))
            if user is None:
                raise UnknownStaff(email)
            user.password_hash = password_hash
            user.failed_logins, user.locked_until = 0, None

    def get(self, email: str) -> StaffUser | None:
        with self._database.transaction() as session:
            return self._by_email(session, normalise_email(email))

    def login(self, email: str, password: str, now: datetime | None = None) -> LoginResult:
        """Check a password, unless this account must wait; counts failures per account."""
        now = now or utc_now()
        email = normalise_email(email)
        user = self.get(email)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            return LoginResult(None, _seconds_until(user.locked_until, now))
        # Verified outside any transaction: argon2 takes a while and must not hold a lock.
        if not _verify(user.password_hash if user else _DUMMY_HASH, password) or user is None:
            if user is not None:
                self._failed(user.id, now)
            return LoginResult(None)
        with self._database.transaction() as session:
            fresh = session.get(StaffUser, user.id)
            if fresh is None:  # deleted meanwhile
                return LoginResult(None)
            fresh.failed_logins, fresh.locked_until = 0, None
            if _hasher.check_needs_rehash(fresh.password_hash):
                fresh.password_hash = _hasher.hash(password)
            session.flush()
            return LoginResult(fresh)

    def _failed(self, user_id: int, now: datetime) -> None:
        with self._database.transaction() as session:
            user = session.get(StaffUser, user_id)
            if user is None:
                return
            user.failed_logins = (user.failed_logins or 0) + 1
            user.last_failed_at = now
            delay = throttle_delay(user.failed_logins)
            user.locked_until = now + timedelta(seconds=delay) if delay else None
        if delay:
            log.info("staff login delayed %d s after repeated failures", delay)

    @staticmethod
    def _by_email(session: Session, email: str) -> StaffUser | None:
        return session.scalars(select(StaffUser).where(StaffUser.email == email)).first()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))

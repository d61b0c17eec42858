"""Practice settings: one YAML file plus environment variables for secrets.

Validated once at start-up so a typo in ``practice.yml`` stops the assistant with a message
that names the field, instead of surfacing as a wrong answer to a visitor later.
"""

from __future__ import annotations

import os
import re
from datetime import date, time
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, root_validator, validator

from burnout_assistant.config_files import parse_model, read_yaml

DEFAULT_PATH = Path("practice.yml")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class SettingsError(ValueError):
    """Raised with a readable list of the fields that are wrong."""


class Strict(BaseModel):
    class Config:
        extra = "forbid"  # a misspelt key is an error, not silently ignored


class Practice(Strict):
    name: str = Field(..., min_length=1)
    phone: str = Field(..., min_length=6)
    email: str
    website: str = ""
    country: str = "NL"
    # Answers to practical questions, in Dutch as the visitor reads them (practice_facts.py).
    where: str = Field("online via beeldbellen of in de praktijk", min_length=3)
    waiting: str = Field("meestal binnen twee weken", min_length=3)
    referral_needed: bool = False

    @validator("email")
    def _email(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"{value!r} is geen e-mailadres")
        return value


class Booking(Strict):
    intro_call_minutes: int = Field(20, gt=0, le=240)
    slot_step_minutes: int = Field(30, gt=0, le=240)
    buffer_minutes: int = Field(0, ge=0, le=240)
    horizon_days: int = Field(21, gt=0, le=365)
    # After horizon_days, so its check below can read it.
    minimum_notice_hours: int = Field(12, ge=0)
    cancel_cutoff_hours: int = Field(12, ge=0)
    opening_hours: dict[str, list[str]] = Field(default_factory=dict)
    closed_dates: list[date] = Field(default_factory=list)

    @validator("opening_hours")
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, windows in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"onbekende dag {day!r} (gebruik {', '.join(WEEKDAYS)})")
            parsed = sorted((*parse_window(window), window) for window in windows)
            for start, end, window in parsed:
                if start >= end:
                    raise ValueError(f"{day}: {window!r} eindigt voordat het begint")
            for (_, end, first), (start, _, second) in pairwise(parsed):
                if start < end:  # a slot could be offered twice, or across a break
                    raise ValueError(f"{day}: {first!r} en {second!r} overlappen")
        return value

    @validator("minimum_notice_hours")
    def _bookable(cls, notice: int, values: dict) -> int:
        # The last bookable day is today + horizon_days, so a notice that reaches past its end
        # leaves no moment at all, whatever the time of day.
        horizon = values.get("horizon_days")
        if horizon is not None and notice >= (horizon + 1) * 24:
            raise ValueError(f"met {notice} uur vooraf en maar {horizon} dagen vooruit is er "
                             "nooit een moment te boeken")
        return notice


class Calendar(Strict):
    url: str
    username: str = ""
    password_env: str = "CALDAV_PASSWORD"
    # When the practice's own calendar fails the start check (apps/calendar_check.py),
    # ./scripts/run starts on the embedded calendar instead of refusing to start.
    fallback_to_embedded: bool = False

    @validator("url")
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+/\S*$", value):
            raise ValueError(f"{value!r} is geen agenda-adres zoals "
                             "https://cloud.praktijk.nl/remote.php/dav/calendars/anna/intake/")
        return value if value.endswith("/") else value + "/"

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "")


class Notifications(Strict):
    staff_emails: list[str] = Field(default_factory=list)
    sender: str = "assistent@localhost"
    smtp_host: str = ""  # empty: write mail to outbox_dir instead of sending it
    smtp_port: int = Field(587, gt=0, lt=65536)
    smtp_username: str = ""
    smtp_password_env: str = "SMTP_PASSWORD"
    smtp_starttls: bool = True
    outbox_dir: str = "run/outbox"
    dashboard_url: str = ""

    @property
    def smtp_password(self) -> str:
        return os.environ.get(self.smtp_password_env, "")


class Leads(Strict):
    database_url: str = "sqlite:///run/leads.db"

    @property
    def url(self) -> str:
        """``LEADS_DATABASE_URL`` wins, so a deployment points at PostgreSQL without editing."""
        return os.environ.get("LEADS_DATABASE_URL") or self.database_url


class Retention(Strict):
    conversation_days: int = Field(30, gt=0)
    lead_days: int = Field(365, gt=0)


class Backups(Strict):
    """Where ``./scripts/backup`` and the daily job write archives (docs/backup.md)."""

    directory: str = "run/backups"
    keep: int = Field(7, ge=1, le=366)  # the newest this many archives stay, older ones go
    daily: bool = True  # the jobs make one archive a day
    # The embedded Radicale's storage folder (``./scripts/run``); absent: no calendar in it.
    calendar_storage: str = "run/radicale"
    # A Fernet key (``./scripts/backup --new-key``) in this variable encrypts every archive.
    key_env: str = "BACKUP_KEY"

    @property
    def key(self) -> str:
        return os.environ.get(self.key_env, "").strip()


class Limits(Strict):
    max_message_chars: int = Field(1000, ge=50, le=20000)
    # Per sender, over all channels (a token bucket): up to `burst` messages at once, e.g. a
    # visitor clicking through the check, then `messages_per_minute` on average. A person
    # types a few messages a minute; a script sends hundreds.
    messages_per_minute: int = Field(20, ge=1, le=1000)
    burst: int = Field(30, ge=1, le=1000)


class Web(Strict):
    # Pages that may embed the widget (CORS). Anything else gets no CORS headers.
    allowed_origins: list[str] = Field(default_factory=list)
    demo_site_port: int = Field(8000, gt=0, lt=65536)

    @validator("allowed_origins", each_item=True)
    def _origin(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+$", value):
            raise ValueError(f"{value!r} is geen websiteadres zoals https://www.praktijk.nl")
        return value


class Telegram(Strict):
    # Secrets are read from these environment variables, never from a file in the repo.
    bot_token_env: str = "TELEGRAM_BOT_TOKEN"
    secret_token_env: str = "TELEGRAM_SECRET_TOKEN"
    # Tests point this at a local fake of the Bot API.
    api_base_url: str = "https://api.telegram.org/bot"

    @property
    def bot_token(self) -> str | None:
        return os.environ.get(self.bot_token_env) or None

    @property
    def secret_token(self) -> str | None:
        return os.environ.get(self.secret_token_env) or None


class Channels(Strict):
    web: Web = Field(default_factory=Web)
    telegram: Telegram = Field(default_factory=Telegram)


class Dashboard(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, gt=0, lt=65536)
    # Staff are logged out after this many hours without a request.
    session_hours: int = Field(8, gt=0, le=24 * 30)
    secret_key_env: str = "DASHBOARD_SECRET_KEY"


class Settings(Strict):
    practice: Practice
    timezone: str = "Europe/Amsterdam"
    booking: Booking = Field(default_factory=Booking)
    calendar: Calendar
    notifications: Notifications = Field(default_factory=Notifications)
    leads: Leads = Field(default_factory=Leads)
    retention: Retention = Field(default_factory=Retention)
    backups: Backups = Field(default_factory=Backups)
    limits: Limits = Field(default_factory=Limits)
    channels: Channels = Field(default_factory=Channels)
    dashboard: Dashboard = Field(default_factory=Dashboard)

    @validator("timezone")
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"onbekende tijdzone {value!r} (bijvoorbeeld Europe/Amsterdam)") \
                from exc
        return value

    @root_validator(skip_on_failure=True)
    def _some_opening(cls, values: dict) -> dict:
        booking: Booking = values["booking"]
        if not any(booking.opening_hours.values()):
            raise ValueError("booking.opening_hours: de praktijk is nooit open")
        return values

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_window(window: str) -> tuple[time, time]:
    """``"09:00-12:00"`` → (09:00, 12:00); raises ValueError naming the bad window."""
    match = _WINDOW.match(window.strip())
    if not match:
        raise ValueError(f"{window!r} is niet UU:MM-UU:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"{window!r} is geen tijd van de dag") from exc


def parse_settings(raw: dict) -> Settings:
    """Validate a settings mapping; the error lists each bad field by its dotted path."""
    return parse_model(Settings, raw, "de praktijkinstellingen", SettingsError)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read ``practice.yml`` (or ``$PRACTICE_SETTINGS``) and validate it."""
    path = Path(path or os.environ.get("PRACTICE_SETTINGS") or DEFAULT_PATH)
    return parse_settings(read_yaml(path, "de praktijkinstellingen", SettingsError))


@lru_cache(maxsize=1)
def current_settings() -> Settings:
    """Settings of this process, read once (the action server reads them at start-up)."""
    return load_settings()

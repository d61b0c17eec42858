"""The practice calendar over CalDAV: read busy time, write intro-call events.

Busy time is read with a time-range event search (plus every recurring event, see
``_resources_around``) and expanded on our side, because free-busy and recurrence answers
differ per server (Radicale's free-busy is non-standard). Tested against Radicale and
Xandikos; each difference between them is handled here, with a comment naming it. Every
failure (server down, slow, an error answer, unreadable data) surfaces as
``CalendarUnavailable`` so callers offer no times instead of guessing. Events carry only the
text the caller passes: no health data is added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import caldav
import icalendar
import recurring_ical_events
from caldav.elements import cdav

if TYPE_CHECKING:
    from burnout_assistant.settings import Settings

UTC = timezone.utc
DEFAULT_TZ = ZoneInfo("Europe/Amsterdam")
PRODID = "-//burnout-assistant//intro call//NL"
log = logging.getLogger(__name__)

# caldav logs whole request bodies at DEBUG, which would put event text (a visitor's name) in
# the logs of anyone who turns on debug logging; keep that logger at INFO or quieter.
_caldav_log = logging.getLogger("caldav")
if _caldav_log.level < logging.INFO:
    _caldav_log.setLevel(logging.INFO)


class CalendarUnavailable(Exception):
    """The calendar could not be read or written now; offer no times, try again later."""


class PracticeCalendar:
    """One CalDAV calendar collection (``url``) of the practice."""

    def __init__(
        self,
        url: str,
        username: str = "",
        password: str = "",
        timeout: float = 5.0,
        *,
        tz: ZoneInfo = DEFAULT_TZ,
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.timeout = timeout
        self.tz = tz
        self._client = _client(self.url, username, password, timeout)
        self._calendar = caldav.Calendar(client=self._client, url=self.url)

    @classmethod
    def from_settings(cls, settings: Settings, timeout: float = 5.0) -> PracticeCalendar:
        cal = settings.calendar
        return cls(cal.url, cal.username, cal.password, timeout, tz=settings.tz)

    def busy_periods(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Opaque, non-cancelled event time overlapping [start, end), in the practice tz.

        All-day events block whole local days. The server search is widened by a day because
        servers place all-day events on UTC days; the exact overlap is checked here.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        lo, hi = start.astimezone(UTC), end.astimezone(UTC)
        margin = timedelta(days=1)
        periods: list[tuple[datetime, datetime]] = []
        with _guard("read busy time"):
            for resource in self._resources_around(lo - margin, hi + margin):
                periods.extend(self._periods(resource.icalendar_instance, lo - margin, hi + margin))
        periods = sorted({(s, e) for s, e in periods if s < hi and lo < e})
        return [(s.astimezone(self.tz), e.astimezone(self.tz)) for s, e in periods]

    def _resources_around(self, lo: datetime, hi: datetime) -> list[caldav.Event]:
        """Every event resource that may have time in [lo, hi), each once.

        A time-range search alone misses series: Xandikos 0.2.8 matches a time-range filter
        against each VEVENT's own DTSTART/DTEND and never expands RRULE/RDATE (RFC 4791 9.9
        says it must), so a weekly meeting that began before ``lo`` is not returned;
        Radicale 3.5 expands series and returns it. So every resource that recurs is fetched
        too (prop-filter "is defined", which both servers answer) and expanded here; the
        overlap is checked on our side either way.
        """
        found = self._calendar.search(start=lo, end=hi, event=True, expand=False)
        for recurring in ("RRULE", "RDATE"):
            found += self._calendar.search(event=True, filters=[cdav.PropFilter(recurring)])
        unique: dict[str, caldav.Event] = {}
        for resource in found:
            unique.setdefault(str(resource.url), resource)
        return list(unique.values())

    def create_event(
        self, uid: str, start: datetime, end: datetime, summary: str, description: str = ""
    ) -> None:
        """Write the event; the same UID again overwrites it, so a retry never duplicates."""
        _require_span(start, end)
        data = _event_ical(uid, start, end, summary, description)
        with _guard("create an event"):
            # Look the UID up first: a PUT of a UID stored under another href is refused by
            # both servers (Radicale 3.5: 409, Xandikos 0.2.8: 207 with 412 inside, both
            # no-uid-conflict; caldav raises on either, which reads as unavailable).
            existing = self._find(uid)
            url = existing.url if existing is not None else None
            caldav.Event(client=self._client, url=url, data=data, parent=self._calendar).save()

    def delete_event(self, uid: str) -> bool:
        """False when no event has this UID (already cancelled)."""
        with _guard("delete an event"):
            existing = self._find(uid)
            if existing is None:
                return False
            existing.delete()
            return True

    def move_event(self, uid: str, start: datetime, end: datetime) -> bool:
        """Give the event a new time, keeping its text; False when the UID is unknown."""
        _require_span(start, end)
        with _guard("move an event"):
            existing = self._find(uid)
            if existing is None:
                return False
            component = existing.icalendar_component
            for key in ("DTSTART", "DTEND", "DURATION", "DTSTAMP"):
                component.pop(key, None)
            component.add("dtstart", start.astimezone(UTC))
            component.add("dtend", end.astimezone(UTC))
            component.add("dtstamp", datetime.now(UTC))
            existing.save()
            return True

    def event_exists(self, uid: str) -> bool:
        with _guard("look up an event"):
            return self._find(uid) is not None

    def _find(self, uid: str) -> caldav.Event | None:
        """The event with exactly this UID (the server's text match is a substring match)."""
        for resource in self._calendar.search(event=True, uid=uid):
            component = resource.icalendar_component
            if component is not None and str(component.get("UID", "")) == uid:
                return resource
        return None

    def _periods(
        self, ical: icalendar.Calendar, lo: datetime, hi: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        for event in recurring_ical_events.of(ical).between(lo, hi):
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            begin = event["DTSTART"].dt
            if "DTEND" in event:
                finish = event["DTEND"].dt
            elif "DURATION" in event:
                finish = begin + event["DURATION"].dt
            else:  # RFC 5545: a date lasts one day, a date-time no time at all
                finish = begin + timedelta(days=1) if not isinstance(begin, datetime) else begin
            yield self._instant(begin), self._instant(finish)

    def _instant(self, value: date | datetime) -> datetime:
        """UTC instant; dates are local midnights, floating times are practice-local."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0))
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        return value.astimezone(UTC)


def ensure_calendar(url: str, username: str = "", password: str = "", timeout: float = 5.0) -> None:
    """Create the calendar collection, and missing parents, if it is absent.

    Several processes may run this at once (run, jobs, replicas): a create that fails because
    another process was first counts as done.
    """
    url = url if url.endswith("/") else url + "/"
    client = _client(url, username, password, timeout)
    with _guard("create the calendar"):
        if _exists(client, url):
            return
        code = _answer(client.mkcalendar(url))
        # A missing parent: Radicale 3.5 and Xandikos 0.2.8 both answer 409 and make none.
        # (Radicale also answers 409 when the calendar itself exists by now; _settle sees it.)
        if code == 409:
            for parent in _parents(url):
                if not _exists(client, parent):
                    _settle(client, parent, _answer(client.mkcol(parent, "")), "MKCOL")
            code = _answer(client.mkcalendar(url))
        _settle(client, url, code, "MKCALENDAR")


def _client(url: str, username: str, password: str, timeout: float) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=url, username=username or None, password=password or None, timeout=timeout
    )


def _answer(response: caldav.davclient.DAVResponse) -> int:
    """The status that counts; for 207 Multi-Status the first failing <response> status.

    Xandikos 0.2.8 wraps single-resource errors in 207 Multi-Status: PROPFIND on a missing
    path gives a <response> with "404 Not Found", MKCALENDAR on an existing one "403
    Forbidden" (resource-must-be-null). Radicale 3.5 answers those with a plain 404 and 409.
    Property-level statuses (inside <propstat>) are not looked at.
    """
    tree = getattr(response, "tree", None)
    if response.status == 207 and tree is not None:
        for element in tree.iterfind("{DAV:}response/{DAV:}status"):
            parts = (element.text or "").split()
            if len(parts) > 1 and parts[1].isdigit() and not 200 <= int(parts[1]) < 300:
                return int(parts[1])
    return response.status


def _exists(client: caldav.DAVClient, url: str) -> bool:
    code = _answer(client.propfind(url, "", 0))
    if code == 404:
        return False
    _expect(code, "PROPFIND")
    return True


def _settle(client: caldav.DAVClient, url: str, code: int, method: str) -> None:
    """A failed MKCOL/MKCALENDAR is fine when the collection is there now (made meanwhile)."""
    if not 200 <= code < 300 and _exists(client, url):
        return
    _expect(code, method)


def _expect(status: int, method: str) -> None:
    if not 200 <= status < 300:
        raise CalendarUnavailable(f"calendar server answered {method} with {status}")


def _parents(url: str) -> list[str]:
    """Ancestor collection URLs below the root, outermost first."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    paths = ["/" + "/".join(segments[:n]) + "/" for n in range(1, len(segments))]
    return [urlunsplit((parts.scheme, parts.netloc, p, "", "")) for p in paths]


@contextmanager
def _guard(action: str) -> Iterator[None]:
    """Turn every client, network and data error into CalendarUnavailable.

    Deliberately broad: whatever breaks, the caller's answer is the same (no times now), and a
    raw requests/caldav/parser error must never reach a visitor. Only the error type is logged.
    """
    try:
        yield
    except CalendarUnavailable:
        log.warning("calendar unavailable: could not %s", action)
        raise
    except Exception as exc:
        log.warning("calendar unavailable: could not %s (%s)", action, type(exc).__name__)
        raise CalendarUnavailable(f"could not {action}: {type(exc).__name__}") from exc


def _event_ical(uid: str, start: datetime, end: datetime, summary: str, description: str) -> str:
    """A minimal VEVENT in UTC: only what the caller passed, nothing about the visitor."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("sequence", 0)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _require_span(start: datetime, end: datetime) -> None:
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        raise ValueError("end must be after start")

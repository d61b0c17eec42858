"""PracticeCalendar against real servers: busy time, writes, and failure modes.

Each test that takes ``calendar`` or ``calendar_server`` runs against Radicale and against
Xandikos (``tests/fixtures/calendar.py``); where the two servers differ, the difference is
handled in ``burnout_assistant/booking/calendar.py``, never here.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import caldav
import icalendar
import pytest

from burnout_assistant.apps.processes import free_port
from burnout_assistant.booking.calendar import (
    CalendarUnavailable,
    PracticeCalendar,
    ensure_calendar,
)
from burnout_assistant.booking.slots import find_free_slots
from burnout_assistant.settings import Booking
from tests.fixtures.calendar import CalendarServer

TZ = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def put_raw(calendar: PracticeCalendar, ics: str) -> None:
    """Store an event written by another calendar client, exactly as given."""
    collection = caldav.DAVClient(calendar.url).calendar(url=calendar.url)
    collection.save_event(ics.strip().replace("\n", "\r\n") + "\r\n")


def stored_events(calendar: PracticeCalendar) -> list[icalendar.Calendar]:
    collection = caldav.DAVClient(calendar.url).calendar(url=calendar.url)
    return [icalendar.Calendar.from_ical(e.data) for e in collection.events()]


def vcalendar(*events: str, timezones: tuple[str, ...] = ()) -> str:
    """One calendar resource: one event, or a series with its overridden occurrences."""
    body = "\n".join([*(z.strip() for z in timezones), *(
        f"BEGIN:VEVENT\nDTSTAMP:20260101T000000Z\n{e.strip()}\nEND:VEVENT" for e in events)])
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//other client//EN\n{body}\nEND:VCALENDAR"


def vtimezone(tzid: str, standard: tuple[str, str, str], daylight: tuple[str, str, str]) -> str:
    """A VTIMEZONE as calendar clients send it; (offset, first change, yearly rule) each."""
    parts = []
    for kind, (offset, begins, rule), before in (("STANDARD", standard, daylight[0]),
                                                  ("DAYLIGHT", daylight, standard[0])):
        parts.append(f"BEGIN:{kind}\nTZOFFSETFROM:{before}\nTZOFFSETTO:{offset}\n"
                     f"DTSTART:{begins}\nRRULE:FREQ=YEARLY;{rule}\nEND:{kind}")
    return "BEGIN:VTIMEZONE\nTZID:{}\n{}\nEND:VTIMEZONE".format(tzid, "\n".join(parts))


# Outlook names London "GMT Standard Time": only its VTIMEZONE says what that is.
LONDON = vtimezone("GMT Standard Time", ("+0000", "19701025T020000", "BYMONTH=10;BYDAY=-1SU"),
                   ("+0100", "19700329T010000", "BYMONTH=3;BYDAY=-1SU"))
NEW_YORK = vtimezone("America/New_York", ("-0500", "19701101T020000", "BYMONTH=11;BYDAY=1SU"),
                     ("-0400", "19700308T020000", "BYMONTH=3;BYDAY=2SU"))


def as_text(busy: list[tuple[datetime, datetime]]) -> list[tuple[str, str]]:
    return [(s.isoformat(), e.isoformat()) for s, e in busy]


# --- reading busy time ------------------------------------------------------------------------


def test_single_event_is_busy_in_its_range_only(calendar: PracticeCalendar) -> None:
    start = local(2026, 6, 1, 10)
    calendar.create_event("single-1", start, start + timedelta(minutes=20), "Kennismaking")
    assert calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 2)) == [
        (start, start + timedelta(minutes=20))]
    assert calendar.busy_periods(local(2026, 6, 2), local(2026, 6, 3)) == []
    # a range that only touches the event's end is not busy
    assert calendar.busy_periods(start + timedelta(minutes=20), local(2026, 6, 2)) == []


def test_weekly_series_with_a_moved_and_a_cancelled_occurrence(
    calendar: PracticeCalendar,
) -> None:
    """Expanded on our side; the series crosses the DST change and keeps 10:00 local."""
    put_raw(calendar, vcalendar(
        """UID:series-1
DTSTART;TZID=Europe/Amsterdam:20260316T100000
DTEND;TZID=Europe/Amsterdam:20260316T110000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Europe/Amsterdam:20260330T100000
SUMMARY:Teamoverleg""",
        """UID:series-1
RECURRENCE-ID;TZID=Europe/Amsterdam:20260323T100000
DTSTART;TZID=Europe/Amsterdam:20260324T140000
DTEND;TZID=Europe/Amsterdam:20260324T150000
SUMMARY:Teamoverleg (verzet)""",
    ))
    busy = calendar.busy_periods(local(2026, 3, 1), local(2026, 5, 1))
    assert [(s.isoformat(), e.isoformat()) for s, e in busy] == [
        ("2026-03-16T10:00:00+01:00", "2026-03-16T11:00:00+01:00"),
        ("2026-03-24T14:00:00+01:00", "2026-03-24T15:00:00+01:00"),
        ("2026-04-06T10:00:00+02:00", "2026-04-06T11:00:00+02:00"),
    ]


def test_all_day_events_block_whole_local_days(calendar: PracticeCalendar) -> None:
    put_raw(calendar, vcalendar(
        "UID:allday-1\nDTSTART;VALUE=DATE:20260610\nDTEND;VALUE=DATE:20260612\nSUMMARY:Cursus"))
    put_raw(calendar, vcalendar("UID:allday-2\nDTSTART;VALUE=DATE:20260615\nSUMMARY:Vrij"))
    # a window starting in the middle of the second day still sees the whole block
    assert calendar.busy_periods(local(2026, 6, 11, 12), local(2026, 6, 11, 13)) == [
        (local(2026, 6, 10), local(2026, 6, 12))]
    assert calendar.busy_periods(local(2026, 6, 15, 9), local(2026, 6, 15, 10)) == [
        (local(2026, 6, 15), local(2026, 6, 16))]
    # 11 June 23:30 UTC is already 12 June in Amsterdam: free
    assert calendar.busy_periods(local(2026, 6, 12, 1, 30), local(2026, 6, 12, 2)) == []


def test_a_series_that_began_before_the_window(calendar: PracticeCalendar) -> None:
    """A weekly meeting since January: one date cancelled (EXDATE), one occurrence moved into
    the window from the week before, one moved out of it, one extra date (RDATE)."""
    put_raw(calendar, vcalendar(
        """UID:since-january
DTSTART;TZID=Europe/Amsterdam:20260105T100000
DTEND;TZID=Europe/Amsterdam:20260105T110000
RRULE:FREQ=WEEKLY
EXDATE;TZID=Europe/Amsterdam:20260601T100000
RDATE;TZID=Europe/Amsterdam:20260612T160000
SUMMARY:Intervisie""",
        """UID:since-january
RECURRENCE-ID;TZID=Europe/Amsterdam:20260525T100000
DTSTART;TZID=Europe/Amsterdam:20260603T090000
DTEND;TZID=Europe/Amsterdam:20260603T093000
SUMMARY:Intervisie (verzet naar binnen)""",
        """UID:since-january
RECURRENCE-ID;TZID=Europe/Amsterdam:20260615T100000
DTSTART;TZID=Europe/Amsterdam:20260623T100000
DTEND;TZID=Europe/Amsterdam:20260623T110000
SUMMARY:Intervisie (verzet naar buiten)""",
    ))
    assert as_text(calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 22))) == [
        ("2026-06-03T09:00:00+02:00", "2026-06-03T09:30:00+02:00"),
        ("2026-06-08T10:00:00+02:00", "2026-06-08T11:00:00+02:00"),
        ("2026-06-12T16:00:00+02:00", "2026-06-12T17:00:00+02:00"),
    ]


def test_a_recurring_day_off(calendar: PracticeCalendar) -> None:
    """Every Friday off since January (an all-day series), except one Friday worked."""
    put_raw(calendar, vcalendar(
        "UID:friday-off\nDTSTART;VALUE=DATE:20260102\nDTEND;VALUE=DATE:20260103\n"
        "RRULE:FREQ=WEEKLY;BYDAY=FR\nEXDATE;VALUE=DATE:20260612\nSUMMARY:Vrije vrijdag"))
    assert calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 22)) == [
        (local(2026, 6, 5), local(2026, 6, 6)), (local(2026, 6, 19), local(2026, 6, 20))]
    assert calendar.busy_periods(local(2026, 6, 12, 9), local(2026, 6, 12, 17)) == []


def test_events_written_in_other_time_zones(calendar: PracticeCalendar) -> None:
    """London and New York events, each with its VTIMEZONE, at the right Amsterdam time; also
    from 8 to 29 March 2026, when New York already keeps summer time and Europe does not."""
    put_raw(calendar, vcalendar(
        "UID:london-1\nDTSTART;TZID=GMT Standard Time:20260310T090000\n"
        "DTEND;TZID=GMT Standard Time:20260310T093000\nSUMMARY:Supervisie Londen",
        timezones=(LONDON,)))
    put_raw(calendar, vcalendar(
        "UID:new-york-1\nDTSTART;TZID=America/New_York:20260302T090000\n"
        "DTEND;TZID=America/New_York:20260302T093000\nRRULE:FREQ=WEEKLY;COUNT=5\n"
        "SUMMARY:Congres New York", timezones=(NEW_YORK,)))
    assert as_text(calendar.busy_periods(local(2026, 3, 8), local(2026, 4, 1))) == [
        ("2026-03-09T14:00:00+01:00", "2026-03-09T14:30:00+01:00"),  # NY on EDT already
        ("2026-03-10T10:00:00+01:00", "2026-03-10T10:30:00+01:00"),  # London 09:00 GMT
        ("2026-03-16T14:00:00+01:00", "2026-03-16T14:30:00+01:00"),
        ("2026-03-23T14:00:00+01:00", "2026-03-23T14:30:00+01:00"),
        ("2026-03-30T15:00:00+02:00", "2026-03-30T15:30:00+02:00"),  # both on summer time
    ]


def test_transparent_cancelled_and_floating_events(calendar: PracticeCalendar) -> None:
    for event in (
        "UID:free-1\nDTSTART:20260601T080000Z\nDTEND:20260601T090000Z\nTRANSP:TRANSPARENT",
        "UID:cancel-1\nDTSTART:20260601T100000Z\nDTEND:20260601T110000Z\nSTATUS:CANCELLED",
        "UID:float-1\nDTSTART:20260601T150000\nDTEND:20260601T153000",
    ):
        put_raw(calendar, vcalendar(event))
    assert calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 2)) == [
        (local(2026, 6, 1, 15), local(2026, 6, 1, 15, 30))]


# --- writing ----------------------------------------------------------------------------------


def test_create_is_idempotent_by_uid(calendar: PracticeCalendar) -> None:
    start = local(2026, 6, 2, 9)
    calendar.create_event("intro-1", start, start + timedelta(minutes=20), "Kennismaking")
    calendar.create_event("intro-1", start, start + timedelta(minutes=20), "Kennismaking")
    assert len(stored_events(calendar)) == 1
    assert calendar.busy_periods(local(2026, 6, 2), local(2026, 6, 3)) == [
        (start, start + timedelta(minutes=20))]


def test_event_holds_only_what_the_caller_gave(calendar: PracticeCalendar) -> None:
    start = local(2026, 6, 2, 9)
    calendar.create_event("intro-2", start, start + timedelta(minutes=20), "Kennismaking")
    (stored,) = stored_events(calendar)
    (event,) = stored.walk("VEVENT")
    assert set(event.keys()) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"}
    assert str(event["SUMMARY"]) == "Kennismaking"


def test_delete(calendar: PracticeCalendar) -> None:
    start = local(2026, 6, 2, 9)
    calendar.create_event("intro-3", start, start + timedelta(minutes=20), "Kennismaking")
    calendar.create_event("other-3", start, start + timedelta(hours=2), "Overleg")
    assert calendar.event_exists("intro-3")
    assert calendar.delete_event("intro-3") is True
    assert calendar.delete_event("intro-3") is False
    assert not calendar.event_exists("intro-3")
    assert calendar.event_exists("other-3")  # only the named event goes


def test_uid_lookup_is_exact(calendar: PracticeCalendar) -> None:
    """The server's text match finds substrings; "intro-4" must not find "intro-42"."""
    start = local(2026, 6, 2, 9)
    calendar.create_event("intro-42", start, start + timedelta(minutes=20), "Kennismaking")
    assert not calendar.event_exists("intro-4")
    assert calendar.delete_event("intro-4") is False
    assert calendar.event_exists("intro-42")


def test_move(calendar: PracticeCalendar) -> None:
    start, new = local(2026, 6, 2, 9), local(2026, 6, 4, 15, 30)
    calendar.create_event("intro-5", start, start + timedelta(minutes=20), "Kennismaking",
                          "Terugbellen")
    assert calendar.move_event("intro-5", new, new + timedelta(minutes=20)) is True
    assert calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 8)) == [
        (new, new + timedelta(minutes=20))]
    (stored,) = stored_events(calendar)
    (event,) = stored.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Kennismaking" and str(event["DESCRIPTION"]) == "Terugbellen"
    assert calendar.move_event("unknown", new, new + timedelta(minutes=20)) is False


def test_naive_or_reversed_times_are_refused(calendar: PracticeCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.create_event("x", datetime(2026, 6, 2, 9), datetime(2026, 6, 2, 10), "K")
    with pytest.raises(ValueError):
        calendar.create_event("x", local(2026, 6, 2, 10), local(2026, 6, 2, 9), "K")


def test_busy_periods_feed_the_slot_finder(calendar: PracticeCalendar) -> None:
    """End to end: what the calendar holds is never offered, the rest still is."""
    rules = Booking(buffer_minutes=10, minimum_notice_hours=0, horizon_days=7,
                    opening_hours={"monday": ["09:00-12:00"], "tuesday": ["09:00-12:00"]})
    now = local(2026, 6, 1, 7)
    calendar.create_event("taken-1", local(2026, 6, 1, 10), local(2026, 6, 1, 10, 20), "K")
    put_raw(calendar, vcalendar(
        "UID:weekly-1\nDTSTART;TZID=Europe/Amsterdam:20260526T110000\n"
        "DTEND;TZID=Europe/Amsterdam:20260526T120000\nRRULE:FREQ=WEEKLY"))
    busy = calendar.busy_periods(now, now + timedelta(days=8))
    offered = {s.start for s in find_free_slots(rules, TZ, busy, now)}
    for taken in (local(2026, 6, 1, 10), local(2026, 6, 2, 11), local(2026, 6, 2, 11, 30)):
        assert taken not in offered
    # the buffer is kept but not more: 10:30-10:50 before an 11:00 meeting is still free
    for free in (local(2026, 6, 1, 9, 30), local(2026, 6, 1, 10, 30), local(2026, 6, 2, 10, 30),
                 local(2026, 6, 8, 11, 30)):
        assert free in offered


def test_the_slot_finder_skips_days_off_and_meetings_abroad(calendar: PracticeCalendar) -> None:
    """Tuesdays off (an all-day series since January) and a London call at 09:00 London time,
    which is 10:00 in Amsterdam: no Tuesday is offered, 10:00 on that Monday neither."""
    rules = Booking(buffer_minutes=10, minimum_notice_hours=0, horizon_days=14,
                    opening_hours={"monday": ["09:00-12:00"], "tuesday": ["09:00-12:00"]})
    now = local(2026, 6, 1, 7)
    put_raw(calendar, vcalendar(
        "UID:tuesday-off\nDTSTART;VALUE=DATE:20260106\nRRULE:FREQ=WEEKLY\nSUMMARY:Vrij"))
    put_raw(calendar, vcalendar(
        "UID:london-2\nDTSTART;TZID=GMT Standard Time:20260601T090000\n"
        "DTEND;TZID=GMT Standard Time:20260601T093000\nSUMMARY:Overleg Londen",
        timezones=(LONDON,)))
    busy = calendar.busy_periods(now, now + timedelta(days=15))
    offered = {s.start for s in find_free_slots(rules, TZ, busy, now)}
    assert offered and not any(s.date().weekday() == 1 for s in offered)
    assert local(2026, 6, 1, 10) not in offered
    for free in (local(2026, 6, 1, 9, 30), local(2026, 6, 1, 11), local(2026, 6, 8, 10)):
        assert free in offered


# --- the calendar is not there ------------------------------------------------------------------

ALL_CALLS = [
    lambda c: c.busy_periods(local(2026, 6, 1), local(2026, 6, 2)),
    lambda c: c.create_event("u", local(2026, 6, 1, 9), local(2026, 6, 1, 10), "K"),
    lambda c: c.delete_event("u"),
    lambda c: c.move_event("u", local(2026, 6, 1, 9), local(2026, 6, 1, 10)),
    lambda c: c.event_exists("u"),
]


def assert_unavailable(calendar: PracticeCalendar, within: float) -> None:
    for call in ALL_CALLS:
        began = time.monotonic()
        with pytest.raises(CalendarUnavailable):
            call(calendar)
        assert time.monotonic() - began < within


def test_stopped_server(calendar_server: CalendarServer, tmp_path: Path) -> None:
    with calendar_server.start(tmp_path) as url:
        calendar_url = calendar_server.new_calendar_url(url)
        ensure_calendar(calendar_url)
        calendar = PracticeCalendar(calendar_url, timeout=2)
        assert calendar.busy_periods(local(2026, 6, 1), local(2026, 6, 2)) == []
    assert_unavailable(calendar, within=2)


def test_the_calendar_comes_back_after_a_restart(calendar_server: CalendarServer,
                                                 tmp_path: Path) -> None:
    """Down, then up again on the same port with the same data: the same PracticeCalendar
    (and its pooled connection) works again and sees what was written before."""
    port = free_port()
    start = local(2026, 6, 2, 9)
    with calendar_server.start(tmp_path, port) as url:
        calendar = PracticeCalendar(calendar_server.new_calendar_url(url), timeout=2)
        ensure_calendar(calendar.url)
        calendar.create_event("before-1", start, start + timedelta(minutes=20), "K")
    assert_unavailable(calendar, within=2)
    with calendar_server.start(tmp_path, port):
        assert calendar.busy_periods(local(2026, 6, 2), local(2026, 6, 3)) == [
            (start, start + timedelta(minutes=20))]
        assert calendar.move_event("before-1", start + timedelta(hours=1),
                                   start + timedelta(hours=1, minutes=20)) is True


def test_closed_port() -> None:
    url = f"http://127.0.0.1:{free_port()}/p/c/"
    assert_unavailable(PracticeCalendar(url, timeout=2), within=2)
    with pytest.raises(CalendarUnavailable):
        ensure_calendar(url)


def test_missing_calendar_is_unavailable_not_empty(calendar_server: CalendarServer) -> None:
    """A 404 must not read as "no events": that would offer every time as free."""
    assert_unavailable(PracticeCalendar(calendar_server.new_calendar_url()), within=5)
    assert_unavailable(PracticeCalendar(f"{calendar_server.url}/p/missing/"), within=5)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers, like a hung calendar server."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/p/c/"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.timeout(60)
def test_slow_server_times_out(silent_server: str) -> None:
    calendar = PracticeCalendar(silent_server, timeout=1.0)
    for call in ALL_CALLS:
        began = time.monotonic()
        with pytest.raises(CalendarUnavailable):
            call(calendar)
        assert 0.9 <= time.monotonic() - began < 3
    assert PracticeCalendar(silent_server).timeout == 5.0


# --- creating the collection ------------------------------------------------------------------


@pytest.mark.parametrize("where", ["own parents", "calendar home"])
def test_ensure_calendar_creates_it_once(calendar_server: CalendarServer, where: str) -> None:
    """A practice's own path (parents made with MKCOL) or the server's calendar home."""
    if where == "own parents":
        url = f"{calendar_server.url}/{uuid.uuid4().hex}/intake/"
    else:
        url = calendar_server.new_calendar_url()
    ensure_calendar(url)
    ensure_calendar(url)  # second call is a no-op, not an error
    calendar = PracticeCalendar(url)
    calendar.create_event("e-1", local(2026, 6, 1, 9), local(2026, 6, 1, 10), "K")
    assert calendar.event_exists("e-1")
    collection = caldav.DAVClient(url).calendar(url=url)
    assert "VEVENT" in collection.get_supported_components()


def test_ensure_calendar_from_several_processes_at_once(calendar_server: CalendarServer) -> None:
    """run, the jobs and the replicas all ensure the calendar at start: losing the race to
    create it (or a parent) is no error."""
    url = f"{calendar_server.url}/{uuid.uuid4().hex}/intake/"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: ensure_calendar(url), range(8)))
    calendar = PracticeCalendar(url)
    calendar.create_event("e-2", local(2026, 6, 1, 9), local(2026, 6, 1, 10), "K")
    assert calendar.event_exists("e-2")

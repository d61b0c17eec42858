"""Setup check of the practice's own calendar, in Dutch for a practice owner who is no developer.

``./scripts/calendar-check`` prints it; ``./scripts/run`` runs it at start for a calendar that
is not the embedded one (``launch.calendar_for_start``). Each step does what the assistant
will do (find the calendar, read a week's busy time with a time-range query, write and delete
an event, through ``booking.calendar``), and each failure says in plain Dutch what to change.

    python -m burnout_assistant.apps.calendar_check [--settings practice.yml]   # exit 0 or 1
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import textwrap
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import caldav
import icalendar
import requests
from caldav.lib import error as dav_error

from burnout_assistant.booking.calendar import CalendarUnavailable, PracticeCalendar
from burnout_assistant.settings import DEFAULT_PATH, Settings, SettingsError, load_settings

UTC = timezone.utc
TIMEOUT = 10.0
GUIDE = "docs/calendar.md"
TEST_SUMMARY = "Test van de praktijk-assistent (wordt meteen weer verwijderd)"
_C = "{urn:ietf:params:xml:ns:caldav}"
_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>'
    "<d:resourcetype/><d:displayname/><c:calendar-timezone/><c:calendar-timezone-id/>"
    "</d:prop></d:propfind>"
)

_URL_ADVICE = (
    "Controleer calendar.url in practice.yml: kopieer het agenda-adres (de CalDAV-link) "
    f"opnieuw uit je agendadienst. In {GUIDE} staat waar je het vindt bij Nextcloud, iCloud, "
    "Fastmail en Google."
)
_NOT_FOUND = f"Op dit adres staat geen agenda (de server zegt: niet gevonden).\n{_URL_ADVICE}"
_LEFTOVER = (f"De testafspraak '{TEST_SUMMARY}' staat nog in de agenda, over ongeveer een jaar "
             "om 03:00. Verwijder haar zelf.")
_TIME_RANGE_ADVICE = (
    "De assistent vraagt de agenda om de afspraken in een bepaalde periode; daarmee ziet hij "
    "wanneer je bezet bent. Deze agendaserver kan dat niet goed. Gebruik een agenda bij een "
    "dienst die het wel kan (Nextcloud, Fastmail of iCloud) of de ingebouwde agenda."
)


@dataclass(frozen=True)
class Step:
    """One line of the check: what was tried, whether it worked, and what to change if not."""

    key: str  # instellingen, agenda, lezen, schrijven, tijdzone
    ok: bool
    line: str
    advice: str = ""

    def render(self) -> str:
        """The line with its mark, and the advice indented and wrapped for a terminal."""
        lines = [f"{'✓' if self.ok else '✗'} {self.line}"]
        for paragraph in self.advice.splitlines():
            lines += textwrap.wrap(paragraph, 92, initial_indent="    ",
                                   subsequent_indent="      " if paragraph[:1] == " " else "    ",
                                   break_long_words=False, break_on_hyphens=False)
        return "\n".join(lines)


def run_checks(
    path: Path | str | None = None,
    *,
    now: datetime | None = None,
    timeout: float = TIMEOUT,
    on_step: Callable[[Step], None] | None = None,
) -> list[Step]:
    """Every step that could run, in order; ``on_step`` sees each as soon as it is known.

    ``path`` defaults to the file the assistant reads: ``$PRACTICE_SETTINGS`` or practice.yml.
    """
    steps: list[Step] = []

    def add(step: Step) -> None:
        steps.append(step)
        if on_step is not None:
            on_step(step)

    path = Path(path or os.environ.get("PRACTICE_SETTINGS") or DEFAULT_PATH)
    try:
        settings = load_settings(path)
    except SettingsError as exc:  # already Dutch, one line per field
        add(Step("instellingen", False, f"De instellingen in {path} kloppen niet",
                 f"{exc}\nPas dit aan in {path} en start de controle opnieuw."))
        return steps
    add(Step("instellingen", True, f"De instellingen in {path} zijn in orde"))
    _CalendarCheck(settings, timeout, now or datetime.now(UTC)).run(add)
    return steps


class _CalendarCheck:
    """The calendar steps against one configured calendar."""

    def __init__(self, settings: Settings, timeout: float, now: datetime) -> None:
        self.settings, self.url, self.now = settings, settings.calendar.url, now
        cal = settings.calendar
        self.client = caldav.DAVClient(url=self.url, username=cal.username or None,
                                       password=cal.password or None, timeout=timeout)
        self.practice = PracticeCalendar.from_settings(settings, timeout)

    def run(self, add: Callable[[Step], None]) -> None:
        found, props = self.find()
        add(found)
        if not found.ok:
            return
        # Far from the coming week, at night: a server that returns it for the coming week
        # ignores the time range; nobody sees it in between, and it is deleted at once.
        day = (self.now + timedelta(days=400)).astimezone(self.settings.tz).date()
        start = datetime.combine(day, time(3), tzinfo=self.settings.tz)
        end = start + timedelta(minutes=10)
        uid = f"agenda-controle-{uuid.uuid4()}"
        written: BaseException | None = None
        try:
            self.practice.create_event(uid, start, end, TEST_SUMMARY)
        except CalendarUnavailable as exc:
            written = exc
        try:
            read = self.read_week(None if written else uid)
            add(read)
            add(self.write(uid, start, end, written, check_range=read.ok))
        finally:  # never leave the test event behind, whatever failed in between
            if written is None:
                with suppress(CalendarUnavailable):
                    self.practice.delete_event(uid)
        add(self.zone(props))

    def find(self) -> tuple[Step, dict[str, str]]:
        """PROPFIND the configured URL: it must answer, and be a calendar collection."""
        failed = "De agenda is niet gevonden"
        try:
            response = self.client.propfind(self.url, _PROPFIND, 0)
        except Exception as exc:
            return Step("agenda", False, failed, self.advice(exc, "lezen")), {}
        if response.status == 404:
            return Step("agenda", False, failed, self._not_a_calendar(_NOT_FOUND)), {}
        if response.status != 207 or response.tree is None:
            return Step("agenda", False, failed, self._not_a_calendar(
                f"Op dit adres antwoordt geen agendaserver (CalDAV), maar iets anders (code "
                f"{response.status}).\n{_URL_ADVICE}")), {}
        props = _props(response.tree)
        if f"{_C}calendar" not in props.get("{DAV:}resourcetype", "").split():
            return Step("agenda", False, failed, self._not_a_calendar(
                f"Op dit adres staat wel iets, maar geen agenda.\n{_URL_ADVICE}")), props
        name = props.get("{DAV:}displayname", "").strip()
        # client.url: the address without a user name or password written into it
        return Step("agenda", True, f"Agenda gevonden: {name or self.client.url}"), props

    def read_week(self, test_uid: str | None) -> Step:
        """The busy time of the coming seven days, read as the assistant reads it."""
        end = self.now + timedelta(days=7)
        try:
            busy = self.practice.busy_periods(self.now, end)
            if test_uid is not None:
                week = caldav.Calendar(client=self.client, url=self.url).search(
                    start=self.now, end=end, event=True, expand=False)
                if test_uid in {str(item.icalendar_component.get("UID", "")) for item in week}:
                    return Step("lezen", False, "De agenda zoekt niet op tijd",
                                "De server gaf bij de vraag naar de komende week ook een "
                                "afspraak van over een jaar terug: hij negeert de gevraagde "
                                "periode. Zo wordt elke zoekvraag traag (de hele agenda komt "
                                f"mee).\n{_TIME_RANGE_ADVICE}")
        except Exception as exc:
            return Step("lezen", False, "De drukke tijden van de komende week konden niet "
                        "worden gelezen", self.advice(exc, "zoeken"))
        count = len(busy)
        what = {0: "geen bezette tijden", 1: "1 bezette tijd"}.get(count, f"{count} bezette tijden")
        return Step("lezen", True, f"Drukke tijden van de komende week gelezen ({what})")

    def write(self, uid: str, start: datetime, end: datetime, written: BaseException | None,
              check_range: bool) -> Step:
        """The test event was written, is found by its time, and can be deleted again."""
        if written is not None:
            return Step("schrijven", False, "De assistent kan geen afspraak in deze agenda "
                        "zetten", self.advice(written, "schrijven"))
        try:
            if check_range:
                busy = self.practice.busy_periods(start - timedelta(hours=1),
                                                  end + timedelta(hours=1))
                if not any(s <= start and end <= e for s, e in busy):
                    return Step("schrijven", False, "De testafspraak is geschreven, maar niet "
                                "teruggevonden op haar tijd", _TIME_RANGE_ADVICE)
        except Exception as exc:
            return Step("schrijven", False, "De testafspraak is geschreven, maar niet "
                        "teruggevonden", self.advice(exc, "zoeken"))
        try:
            deleted = self.practice.delete_event(uid) and not self.practice.event_exists(uid)
        except Exception as exc:
            return Step("schrijven", False, "De testafspraak kon niet worden verwijderd",
                        self.advice(exc, "verwijderen"))
        if not deleted:
            return Step("schrijven", False, "De testafspraak kon niet worden verwijderd",
                        _LEFTOVER)
        return Step("schrijven", True, "Testafspraak geschreven en weer verwijderd")

    def zone(self, props: dict[str, str]) -> Step:
        """The calendar's own time zone, where the server tells it, against timezone."""
        want = self.settings.timezone
        told = _calendar_zone(props)
        if told is None:
            return Step("tijdzone", True, "De agenda noemt geen eigen tijdzone; de assistent "
                        f"rekent met {want}")
        name, zone = told
        if zone is None:
            return Step("tijdzone", True, f"De agenda noemt tijdzone {name}; die is niet te "
                        f"vergelijken, de assistent rekent met {want}")
        if name == want or _same_offsets(zone, self.settings.tz, self.now.year):
            return Step("tijdzone", True, f"Tijdzone van de agenda ({name}) past bij "
                        f"practice.yml ({want})")
        return Step("tijdzone", False, f"De agenda staat in een andere tijdzone ({name}) dan "
                    f"practice.yml ({want})",
                    f"Zet de tijdzone van deze agenda in je agenda-app op {want}. Zit de "
                    f"praktijk echt in {name}, zet dan timezone in practice.yml op die zone. "
                    "Anders kunnen hele-dagafspraken en tijden zonder zone op het verkeerde "
                    "uur vallen.")

    def advice(self, exc: BaseException, action: str) -> str:
        """What to change, in Dutch, for an error while doing ``action``."""
        cause = exc.__cause__ if isinstance(exc, CalendarUnavailable) and exc.__cause__ else exc
        network = _network_advice(cause, self.url)
        if network:
            return network
        status = _status(cause)
        cal = self.settings.calendar
        if status == 401:
            if not cal.password:
                return (f"De server vraagt om een wachtwoord, maar de omgevingsvariabele "
                        f"{cal.password_env} is leeg of niet gezet. Zet het wachtwoord daarin "
                        f"voordat je start, bijvoorbeeld: export {cal.password_env}='...'")
            if not cal.username:
                return ("De server vraagt om inloggen, maar calendar.username in practice.yml "
                        "is leeg. Vul daar je gebruikersnaam van de agendadienst in.")
            return ("De server accepteert de gebruikersnaam en het wachtwoord niet. Controleer "
                    f"calendar.username in practice.yml en het wachtwoord in {cal.password_env}"
                    ". Bij iCloud en Fastmail werkt alleen een app-specifiek wachtwoord, niet "
                    "je gewone wachtwoord. Google werkt niet met een wachtwoord (zie "
                    f"{GUIDE}).")
        if status == 403 and action == "schrijven":
            return ("Deze agenda is alleen-lezen voor deze gebruiker: de assistent kan er geen "
                    "afspraken in zetten. Geef de gebruiker schrijfrechten (in Nextcloud of "
                    "iCloud: deel de agenda met 'kan bewerken'), of kies een agenda waarvan "
                    "deze gebruiker de eigenaar is. Een geabonneerde agenda (webcal- of "
                    "ics-link) is altijd alleen-lezen.")
        if status == 403 and action == "verwijderen":
            return _LEFTOVER + (" Geef de gebruiker ook rechten om afspraken "
                                              "te verwijderen: de assistent moet afspraken "
                                              "kunnen verzetten en afzeggen.")
        if status == 403:
            return ("Deze gebruiker mag deze agenda niet bekijken. Deel de agenda met deze "
                    "gebruiker (met 'kan bewerken'), of gebruik de gebruiker die eigenaar is "
                    "van de agenda.")
        if status == 404:
            return _NOT_FOUND
        if action == "zoeken" and isinstance(cause, dav_error.ReportError):
            return (f"De server gaf een fout (code {status or 'onbekend'}) op de vraag naar "
                    f"de afspraken in een periode.\n{_TIME_RANGE_ADVICE}")
        return (f"De agendaserver gaf een onverwacht antwoord ({type(cause).__name__}"
                f"{f', code {status}' if status else ''}). Probeer het over een paar minuten "
                "opnieuw; blijft dit zo, stuur deze melding dan naar wie je agenda beheert.")

    def _not_a_calendar(self, otherwise: str) -> str:
        """No calendar at this URL: list the user's calendars when the server tells them (a
        server address such as https://caldav.icloud.com/ leads to them), else ``otherwise``."""
        try:
            found = [(str(c.name or ""), str(c.url)) for c in self.client.principal().calendars()]
        except Exception:
            found = []
        if not found:
            return otherwise
        lines = "\n".join(f"  {name or '(zonder naam)'}: {url}" for name, url in found[:10])
        return ("Dit adres is niet zelf een agenda, maar de server noemt deze agenda's van deze "
                "gebruiker. Zet het adres van de juiste als calendar.url in practice.yml:\n"
                + lines)


def _props(tree: object) -> dict[str, str]:
    """Found properties of a depth-0 PROPFIND answer: clark name -> text (child tags joined)."""
    props: dict[str, str] = {}
    for propstat in tree.iter("{DAV:}propstat"):  # type: ignore[attr-defined]
        if " 200 " not in (propstat.findtext("{DAV:}status") or ""):
            continue
        for prop in propstat.iterfind("{DAV:}prop/*"):
            props[prop.tag] = (prop.text or "") + " ".join(child.tag for child in prop)
    return props


def _calendar_zone(props: dict[str, str]) -> tuple[str, tzinfo | None] | None:
    """(name, zone) the calendar says it is in (RFC 7809 id or RFC 4791 VTIMEZONE), if any."""
    name = props.get(f"{_C}calendar-timezone-id", "").strip()
    if name:
        return name, _zone(name)
    text = props.get(f"{_C}calendar-timezone", "").strip()
    if not text:
        return None
    try:
        vtimezone = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")[0]
        name = str(vtimezone["TZID"])
        return name, _zone(name) or vtimezone.to_tz(lookup_tzid=False)
    except Exception:
        return "(onleesbaar)", None


def _zone(name: str) -> ZoneInfo | None:
    """An IANA zone for names like Europe/Amsterdam or /mozilla.org/20050126_1/Europe/Amsterdam."""
    parts = [part for part in name.split("/") if part]
    for first in range(len(parts)):
        try:
            return ZoneInfo("/".join(parts[first:]))
        except (ValueError, KeyError, OSError):
            continue
    return None


def _same_offsets(one: tzinfo, other: tzinfo, year: int) -> bool:
    """Same clock time all year (Europe/Brussels counts as Europe/Amsterdam)."""
    moments = [datetime(year, month, day, 12, tzinfo=UTC) for month in range(1, 13)
               for day in (1, 15)]
    return all(m.astimezone(one).utcoffset() == m.astimezone(other).utcoffset() for m in moments)


def _status(exc: BaseException) -> int | None:
    """The HTTP status behind a caldav error, when it tells one."""
    if isinstance(exc, NotImplementedError):  # caldav: 401 and no password to answer it with
        return 401
    if isinstance(exc, dav_error.AuthorizationError):  # caldav raises it for 401 and 403
        return 403 if "forbid" in str(exc.reason).lower() else 401
    if isinstance(exc, dav_error.NotFoundError):
        return 404
    if isinstance(exc, dav_error.DAVError):
        # caldav passes "<status> <reason>" as the first argument, which lands in .url
        for text in (exc.reason, exc.url):
            match = re.match(r"\s*(\d{3})\b", str(text or ""))
            if match:
                return int(match.group(1))
    return None


def _network_advice(exc: BaseException, url: str) -> str | None:
    """Plain Dutch for the ways a connection fails before the server says anything."""
    if not isinstance(exc, requests.RequestException):
        return None
    parts = urlsplit(url)
    host, port = parts.hostname or "?", parts.port or (443 if parts.scheme == "https" else 80)
    if isinstance(exc, requests.exceptions.SSLError):
        return (f"De beveiligde verbinding met {host} lukt niet (het certificaat klopt niet). "
                "Controleer of calendar.url met https:// en de juiste servernaam begint.")
    if isinstance(exc, requests.Timeout):
        return (f"De agendaserver {host} antwoordt niet op tijd. Controleer calendar.url en de "
                "internetverbinding van deze computer, en probeer het later nog eens.")
    text = str(exc)
    if re.search(r"NameResolution|not known|nodename nor servname|getaddrinfo|name resol", text):
        return (f"De servernaam {host} bestaat niet of is nu niet te vinden: een tikfout in "
                f"het adres, of geen internet op deze computer.\n{_URL_ADVICE}")
    if "refused" in text.lower():
        return (f"Op {host} poort {port} draait geen agendaserver (verbinding geweigerd): "
                f"het adres of het poortnummer klopt niet, of de server staat uit.\n"
                f"{_URL_ADVICE}")
    return f"Er is geen verbinding met {host}.\n{_URL_ADVICE}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Controleert de eigen agenda van de praktijk.")
    parser.add_argument("--settings", type=Path, default=None,
                        help="default: $PRACTICE_SETTINGS or practice.yml")
    args = parser.parse_args(argv)
    # booking.calendar logs each failure in English; the steps below say it in Dutch.
    logging.basicConfig(level=logging.ERROR)
    steps = run_checks(args.settings, on_step=lambda step: print(step.render(), flush=True))
    if all(step.ok for step in steps):
        print("\nAlles werkt: de assistent kan deze agenda gebruiken.")
        return 0
    print("\nNiet alles werkt. Pas het bovenstaande aan en start ./scripts/calendar-check "
          "opnieuw.")
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""The calendar check against a real Radicale with passwords and per-calendar rights.

Each failure must name what the practice owner changes (password, write rights, calendar.url,
time zone, a field of practice.yml) in Dutch; ./scripts/run must refuse to start on a failing
calendar of its own, or start on the embedded one when the settings ask for that.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import caldav
import icalendar
import pytest
import requests
import yaml

from burnout_assistant.apps import launch, radicale_server
from burnout_assistant.apps.calendar_check import TEST_SUMMARY, Step, main, run_checks
from burnout_assistant.apps.launch import EMBEDDED_URL, calendar_for_start
from burnout_assistant.apps.processes import free_port
from burnout_assistant.apps.radicale_server import running_radicale
from burnout_assistant.booking.calendar import PracticeCalendar, ensure_calendar
from burnout_assistant.config_files import load_yaml
from burnout_assistant.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "AGENDA_CONTROLE_WACHTWOORD"
TZ = ZoneInfo("Europe/Amsterdam")
# praktijk owns its calendars; lezer may only read praktijk/intake (a shared, read-only one).
RIGHTS = """
[root]
user: .+
collection:
permissions: R
[principal]
user: .+
collection: {user}
permissions: RW
[own calendars]
user: praktijk
collection: praktijk/[^/]+
permissions: rw
[read only]
user: lezer
collection: praktijk/intake
permissions: r
"""


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded Radicale, with htpasswd logins and a rights file instead of no auth."""
    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text("praktijk:geheim\nlezer:lees\n")
    (folder / "rights").write_text(RIGHTS)
    embedded_config = radicale_server.write_config

    def with_logins(storage_dir: Path, port: int) -> Path:
        config = embedded_config(storage_dir, port)
        text = config.read_text()
        auth = (f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
                "htpasswd_encryption = plain\ndelay = 0.01\n")
        text = text.replace("[auth]\ntype = none\n", auth)
        rights = f"type = from_file\nfile = {folder / 'rights'}\n"
        text = text.replace("type = authenticated\n", rights)
        assert "htpasswd" in text and "from_file" in text, "the embedded config changed shape"
        config.write_text(text)
        return config

    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:  # only while this Radicale starts
            patch.setattr(radicale_server, "write_config", with_logins)
            url = stack.enter_context(running_radicale(folder))
        ensure_calendar(f"{url}/praktijk/intake/", "praktijk", "geheim")
        yield url


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(PASSWORD_ENV, "geheim")
    yield


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test Radicale on 127.0.0.1 stands in for a practice's own server elsewhere."""
    monkeypatch.setattr(launch, "EMBEDDED_HOSTS", frozenset())


def settings_file(folder: Path, url: str, username: str = "praktijk", **extra) -> Path:
    raw = load_yaml((ROOT / "practice.yml").read_text())
    raw["calendar"] = {"url": url, "username": username, "password_env": PASSWORD_ENV, **extra}
    path = folder / "practice.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def own_calendar(radicale: str, name: str) -> str:
    url = f"{radicale}/praktijk/{name}/"
    ensure_calendar(url, "praktijk", "geheim")
    return url


def flat(text: str) -> str:
    return " ".join(text.split())


def by_key(steps: list[Step]) -> dict[str, Step]:
    return {step.key: step for step in steps}


def test_a_good_calendar_passes_every_step_and_keeps_no_test_event(
        radicale: str, password: None, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = own_calendar(radicale, "goed")
    booked = datetime.now(TZ).replace(microsecond=0) + timedelta(days=2)
    PracticeCalendar(url, "praktijk", "geheim").create_event(
        "bezet-1", booked, booked + timedelta(minutes=20), "Kennismaking")
    path = settings_file(tmp_path, url)

    steps = run_checks(path)

    assert [s.key for s in steps] == ["instellingen", "agenda", "lezen", "schrijven", "tijdzone"]
    assert all(s.ok and not s.advice for s in steps), [s.render() for s in steps]
    assert "(1 bezette tijd)" in by_key(steps)["lezen"].line
    remaining = caldav.DAVClient(url, username="praktijk", password="geheim").calendar(url=url)
    assert [str(e.icalendar_component["UID"]) for e in remaining.events()] == ["bezet-1"]
    assert main(["--settings", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("✓") == 5 and "✗" not in out and "Alles werkt" in out


def test_a_wrong_password_says_to_check_the_password(
        radicale: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "verkeerd")
    path = settings_file(tmp_path, f"{radicale}/praktijk/intake/")
    steps = run_checks(path)
    assert [(s.key, s.ok) for s in steps] == [("instellingen", True), ("agenda", False)]
    advice = flat(steps[-1].advice)
    assert "accepteert de gebruikersnaam en het wachtwoord niet" in advice
    assert f"het wachtwoord in {PASSWORD_ENV}" in advice and "app-specifiek" in advice
    assert "verkeerd" not in capsys.readouterr().err + advice  # never the password itself

    monkeypatch.delenv(PASSWORD_ENV)
    advice = flat(run_checks(path)[-1].advice)
    assert f"de omgevingsvariabele {PASSWORD_ENV} is leeg of niet gezet" in advice
    assert main(["--settings", str(path)]) == 1
    assert "✗ De agenda is niet gevonden" in capsys.readouterr().out


def test_a_read_only_calendar_says_to_give_write_rights(
        radicale: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "lees")
    path = settings_file(tmp_path, f"{radicale}/praktijk/intake/", username="lezer")
    steps = by_key(run_checks(path))
    assert steps["agenda"].ok and steps["lezen"].ok and steps["tijdzone"].ok
    write = steps["schrijven"]
    assert not write.ok and write.line == "De assistent kan geen afspraak in deze agenda zetten"
    assert "alleen-lezen voor deze gebruiker" in flat(write.advice)
    assert "Geef de gebruiker schrijfrechten" in flat(write.advice)
    assert main(["--settings", str(path)]) == 1


def test_a_wrong_url_says_to_check_calendar_url(
        radicale: str, password: None, tmp_path: Path) -> None:
    missing = run_checks(settings_file(tmp_path, f"{radicale}/praktijk/bestaat-niet/"))[-1]
    assert not missing.ok and "niet gevonden" in missing.advice
    assert "Controleer calendar.url in practice.yml" in flat(missing.advice)

    port = free_port()  # nothing listens there
    refused = run_checks(settings_file(tmp_path, f"http://127.0.0.1:{port}/agenda/"))[-1]
    assert f"Op 127.0.0.1 poort {port} draait geen agendaserver (verbinding geweigerd)" \
        in flat(refused.advice)

    # The user's collection instead of a calendar in it: the calendars found are offered.
    # A server address (as https://caldav.icloud.com/) or the user's collection: the user's
    # calendars are listed with their addresses.
    for address in (f"{radicale}/", f"{radicale}/praktijk/"):
        home = run_checks(settings_file(tmp_path, address))[-1]
        assert not home.ok and "Dit adres is niet zelf een agenda" in home.advice
        assert f"praktijk/intake: {radicale}/praktijk/intake/" in home.advice


def test_a_settings_mistake_is_the_dutch_line_that_names_the_field(tmp_path: Path) -> None:
    path = settings_file(tmp_path, "cloud.praktijk.nl/agenda")
    steps = run_checks(path)
    assert len(steps) == 1 and not steps[0].ok
    assert steps[0].line == f"De instellingen in {path} kloppen niet"
    assert "calendar.url: 'cloud.praktijk.nl/agenda' is geen agenda-adres zoals https://" \
        in steps[0].advice
    assert steps[0].render().startswith("✗ De instellingen")


def _set_zone(url: str, zone: str) -> None:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//NL")
    cal.add("version", "2.0")
    cal.add_component(icalendar.Timezone.from_tzinfo(ZoneInfo(zone)))
    body = ('<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:calendar-timezone>'
            f"<![CDATA[{cal.to_ical().decode()}]]></c:calendar-timezone></d:prop></d:set>"
            "</d:propertyupdate>")
    done = requests.request("PROPPATCH", url, data=body.encode(), auth=("praktijk", "geheim"),
                            headers={"Content-Type": "application/xml"}, timeout=10)
    assert done.status_code == 207


def test_the_calendars_time_zone_must_keep_the_practices_clock(
        radicale: str, password: None, tmp_path: Path) -> None:
    new_york = own_calendar(radicale, "new-york")
    _set_zone(new_york, "America/New_York")
    zone = by_key(run_checks(settings_file(tmp_path, new_york)))["tijdzone"]
    assert not zone.ok and "(America/New_York) dan practice.yml (Europe/Amsterdam)" in zone.line
    assert "Zet de tijdzone van deze agenda in je agenda-app op Europe/Amsterdam" in zone.advice

    brussels = own_calendar(radicale, "brussel")
    _set_zone(brussels, "Europe/Brussels")  # another name, the same clock all year
    assert by_key(run_checks(settings_file(tmp_path, brussels)))["tijdzone"].ok


class _Proxy(BaseHTTPRequestHandler):
    """Radicale behind a server that breaks time-range queries: answers 501, or drops the range."""

    upstream = ""
    mode = ""

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "REPORT" and b"time-range" in body:
            if self.mode == "error":
                self.send_response(501)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = re.sub(rb"<[^<>]*time-range[^<>]*/>", b"", body)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "content-length")}
        answer = requests.request(self.command, self.upstream + self.path, data=body,
                                  headers=headers, allow_redirects=False, timeout=10)
        self.send_response(answer.status_code)
        for key, value in answer.headers.items():
            if key.lower() not in ("content-length", "content-encoding", "transfer-encoding",
                                   "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("mode", "said"), [
    ("error", "De server gaf een fout (code 501) op de vraag naar de afspraken in een periode"),
    ("ignore", "ook een afspraak van over een jaar terug: hij negeert de gevraagde periode"),
])
def test_a_server_without_time_range_queries_is_named(
        radicale: str, password: None, tmp_path: Path, mode: str, said: str) -> None:
    url = own_calendar(radicale, f"tijdvak-{mode}")
    handler = type("Proxy", (_Proxy,), {"upstream": radicale, "mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proxied = url.replace(radicale, f"http://127.0.0.1:{server.server_port}")
        steps = by_key(run_checks(settings_file(tmp_path, proxied)))
    finally:
        server.shutdown()
        server.server_close()
    assert not steps["lezen"].ok and said in flat(steps["lezen"].advice)
    assert "Nextcloud, Fastmail of iCloud" in flat(steps["lezen"].advice)
    leftovers = PracticeCalendar(url, "praktijk", "geheim").busy_periods(
        datetime.now(TZ), datetime.now(TZ) + timedelta(days=800))
    assert leftovers == [], f"the test event ({TEST_SUMMARY}) stayed behind"


def test_start_refuses_a_failing_own_calendar(
        radicale: str, elsewhere: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "verkeerd")
    path = settings_file(tmp_path, f"{radicale}/praktijk/intake/")
    said: list[str] = []
    assert calendar_for_start(path, tmp_path / "embedded.yml", out=said.append) is None
    text = flat("\n".join(said))
    assert "wachtwoord niet" in text and "De assistent start niet" in text
    assert "fallback_to_embedded: true" in text
    assert not (tmp_path / "embedded.yml").exists()
    assert launch.main(["calendar", "--settings", str(path), "--choice-file",
                        str(tmp_path / "choice")]) == 1
    assert not (tmp_path / "choice").exists()


def test_start_falls_back_to_the_embedded_calendar_when_the_settings_say_so(
        radicale: str, elsewhere: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "verkeerd")
    path = settings_file(tmp_path, f"{radicale}/praktijk/intake/", fallback_to_embedded=True)
    said: list[str] = []
    embedded = tmp_path / "run" / "practice.embedded.yml"
    assert calendar_for_start(path, embedded, out=said.append) == ("fallback", embedded)
    assert "start met de ingebouwde agenda" in flat("\n".join(said))
    fallback, original = load_settings(embedded), load_settings(path)
    assert fallback.calendar.url == EMBEDDED_URL
    assert fallback.practice == original.practice and fallback.booking == original.booking

    choice = tmp_path / "choice"
    assert launch.main(["calendar", "--settings", str(path), "--embedded-settings",
                        str(embedded), "--choice-file", str(choice)]) == 0
    assert choice.read_text().splitlines() == ["fallback", str(embedded.resolve())]


def test_start_uses_a_good_own_calendar_and_never_checks_the_embedded_one(
        radicale: str, password: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The embedded calendar is not running yet when ./scripts/run asks: no check at all.
    embedded = settings_file(tmp_path, f"http://127.0.0.1:{free_port()}/praktijk/intake/")
    said: list[str] = []
    assert calendar_for_start(embedded, tmp_path / "x.yml", out=said.append) == \
        ("embedded", embedded)
    assert said == []

    monkeypatch.setattr(launch, "EMBEDDED_HOSTS", frozenset())
    path = settings_file(tmp_path, own_calendar(radicale, "start"))
    assert calendar_for_start(path, tmp_path / "embedded.yml", out=said.append) == ("own", path)
    assert sum(line.startswith("✓") for line in said) == 5


def test_the_scripts_check_before_the_long_setup(tmp_path: Path) -> None:
    run = (ROOT / "scripts" / "run").read_text()
    assert run.index("launch calendar") < run.index("setup_all")
    assert run.index("export PRACTICE_SETTINGS") < run.index("setup_all")
    script = ROOT / "scripts" / "calendar-check"
    assert script.stat().st_mode & 0o111
    path = settings_file(tmp_path, "cloud.praktijk.nl/agenda")
    done = subprocess.run([str(script)], capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "PRACTICE_SETTINGS": str(path)})
    assert done.returncode == 1, done.stderr
    assert f"✗ De instellingen in {path} kloppen niet" in done.stdout
    assert "calendar.url:" in done.stdout

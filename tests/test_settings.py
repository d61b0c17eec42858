"""practice.yml is validated at start-up with one Dutch line per mistake that names the field."""

from pathlib import Path

import pytest

from burnout_assistant.config_files import load_yaml
from burnout_assistant.settings import SettingsError, load_settings, parse_settings

ROOT = Path(__file__).parents[1]
VALID = load_yaml((ROOT / "practice.yml").read_text())


def _with(path: str, value) -> dict:
    raw = load_yaml((ROOT / "practice.yml").read_text())
    node = raw
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[key]
    node[leaf] = value
    return raw


def test_shipped_settings_are_valid() -> None:
    settings = load_settings(ROOT / "practice.yml")
    assert settings.practice.name and settings.tz.key == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("practice.email", "geen-mail", "practice.email"),
        ("timezone", "Europe/Amsterdm", "timezone"),
        ("booking.intro_call_minutes", 0, "booking.intro_call_minutes"),
        ("booking.opening_hours", {"maandag": ["09:00-12:00"]}, "booking.opening_hours"),
        ("booking.opening_hours", {"monday": ["12:00-09:00"]}, "booking.opening_hours"),
        ("booking.opening_hours", {"monday": ["9-12"]}, "booking.opening_hours"),
        ("booking.closed_dates", ["31-12-2026"], "booking.closed_dates"),
        ("practice.telefoon", "123", "practice.telefoon"),
    ],
)
def test_errors_name_the_field(path: str, value, named: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings(_with(path, value))
    assert named in str(info.value)


@pytest.mark.parametrize(
    ("path", "value", "line"),
    [
        ("calendar.url", "cloud.praktijk.nl/agenda",
         "calendar.url: 'cloud.praktijk.nl/agenda' is geen agenda-adres zoals https://"),
        ("timezone", "Europe/Amsterdm",
         "timezone: onbekende tijdzone 'Europe/Amsterdm' (bijvoorbeeld Europe/Amsterdam)"),
        ("booking.opening_hours", {"monday": ["09:00-12:00", "11:30-13:00"]},
         "booking.opening_hours: monday: '09:00-12:00' en '11:30-13:00' overlappen"),
        ("booking.opening_hours", {"friday": ["13:00-17:00", "09:00-13:30"]},
         "booking.opening_hours: friday: '09:00-13:30' en '13:00-17:00' overlappen"),
        ("booking.minimum_notice_hours", 24 * 30,
         "booking.minimum_notice_hours: met 720 uur vooraf en maar 21 dagen vooruit is er nooit"),
        ("booking.intro_call_minutes", 0,
         "booking.intro_call_minutes: moet groter zijn dan 0"),
        ("practice.telefoon", "123", "practice.telefoon: onbekende instelling (een tikfout?)"),
        ("practice.email", "geen-mail", "practice.email: 'geen-mail' is geen e-mailadres"),
    ],
)
def test_a_mistake_is_one_dutch_line_that_names_the_field(path: str, value, line: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings(_with(path, value))
    lines = str(info.value).splitlines()
    assert lines[0] == "Fout in de praktijkinstellingen:"
    assert [problem.strip() for problem in lines[1:] if problem.strip().startswith(line)], lines


def test_adjacent_windows_and_a_calendar_url_without_slash_are_fine() -> None:
    raw = _with("booking.opening_hours", {"monday": ["09:00-12:00", "12:00-13:00"]})
    raw["calendar"]["url"] = "https://cloud.praktijk.nl/remote.php/dav/calendars/anna/intake"
    assert parse_settings(raw).calendar.url.endswith("/intake/")


def test_never_open_is_an_error() -> None:
    with pytest.raises(SettingsError, match="de praktijk is nooit open"):
        parse_settings(_with("booking.opening_hours", {}))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="niet gevonden"):
        load_settings(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("practice: [unclosed")
    with pytest.raises(SettingsError, match="geen geldige YAML"):
        load_settings(bad)


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALDAV_PASSWORD", "s3cret")
    assert load_settings(ROOT / "practice.yml").calendar.password == "s3cret"

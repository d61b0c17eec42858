"""practice.yml is validated at start-up with errors that name the field."""

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


def test_never_open_is_an_error() -> None:
    with pytest.raises(SettingsError, match="never open"):
        parse_settings(_with("booking.opening_hours", {}))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("practice: [unclosed")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(bad)


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALDAV_PASSWORD", "s3cret")
    assert load_settings(ROOT / "practice.yml").calendar.password == "s3cret"

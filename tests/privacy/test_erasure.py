"""Finding Rasa's tracker store from endpoints.yml, for the erasure job."""

from pathlib import Path

from burnout_assistant.privacy.erasure import tracker_store_url


def test_sqlite_and_postgresql_tracker_stores(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: run/tracker.db\n")
    assert tracker_store_url(endpoints) == "sqlite:///run/tracker.db"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.local\n  port: 5432\n"
        "  db: rasa\n  username: rasa\n  password: geheim\n"
    )
    assert tracker_store_url(endpoints) == "postgresql://rasa:geheim@db.local:5432/rasa"


def test_other_tracker_stores_are_not_ours_to_erase(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n")
    assert tracker_store_url(endpoints) is None


def test_the_projects_own_endpoints() -> None:
    root = Path(__file__).parents[2]
    assert tracker_store_url(root / "endpoints.yml") == "sqlite:///run/tracker.db"

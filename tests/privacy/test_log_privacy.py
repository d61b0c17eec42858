"""Rasa's structlog output without message text or the locals of tracebacks."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from burnout_assistant.privacy import log_privacy


@pytest.fixture()
def rasa_json_logging(caplog):
    """structlog configured the way ``rasa run`` does it when the output is not a terminal."""
    from rasa.utils import log_utils

    saved = structlog.get_config()
    log_utils.configure_structlog(logging.INFO)  # not a tty under pytest: the JSON pipeline
    caplog.set_level(logging.INFO)
    yield lambda: [json.loads(record.getMessage()) for record in caplog.records]
    structlog.configure(**saved)


def _log_error_with_personal_locals() -> None:
    values = {"contact_name": "Sanne de Vries", "contact_phone": "+31612345678"}
    try:
        raise KeyError("menu")
    except KeyError:
        structlog.get_logger().exception(
            "interpolator.interpolate.text", response="hallo Sanne de Vries", n=len(values))


def test_without_it_rasa_writes_locals_and_text(rasa_json_logging) -> None:
    _log_error_with_personal_locals()
    assert "Sanne de Vries" in json.dumps(rasa_json_logging())


def test_with_it_event_and_traceback_stay_but_nothing_personal(rasa_json_logging) -> None:
    log_privacy.install()
    log_privacy.install()  # idempotent
    _log_error_with_personal_locals()
    (entry,) = rasa_json_logging()
    dumped = json.dumps(entry)
    assert "Sanne" not in dumped and "+316" not in dumped
    assert entry["event"] == "interpolator.interpolate.text" and entry["n"] == 2
    assert entry["response"] == log_privacy.HIDDEN
    frames = entry["exception"][0]["frames"]
    assert frames and all(not frame.get("locals") for frame in frames)

"""A replica without a bot token: the Telegram webhook is off, says so once per worker process,
and leaks nothing.

The session's own server pair runs with Telegram on (tests/conftest.py); the scaled replicas
run without TELEGRAM_BOT_TOKEN, as a deployment that only serves the website would.
"""

from __future__ import annotations

import time

import httpx
import pytest

from burnout_assistant.apps.replicas import ReplicaSet
from tests.apps.telegram import updates
from tests.scale.conftest import WORKERS

pytestmark = pytest.mark.model


def test_webhook_without_token_answers_503_and_logs_once(cluster: ReplicaSet) -> None:
    replica = cluster[0]
    url = f"{replica.rasa_url}/webhooks/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "wat-dan-ook"}
    for _ in range(3):
        answer = httpx.post(url, json=updates.text(4711, "hallo"), headers=headers, timeout=60)
        assert answer.status_code == 503
        assert answer.text == "Telegram staat uit." and "Traceback" not in answer.text
    deadline = time.monotonic() + 30
    while "Telegram is off" not in replica.rasa_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = replica.rasa_log.read_text()
    # Each Sanic worker is its own process with its own "said it" flag: at most one line each.
    assert 1 <= log.count("Telegram is off") <= WORKERS
    assert "hallo" not in log  # the message text never reaches the log

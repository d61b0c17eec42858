"""Without a bot token the Telegram webhook is off: 503, said once in the log, nothing else."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.apps.telegram import updates

pytestmark = pytest.mark.model


def test_webhook_without_token_answers_503_and_logs_once(servers) -> None:
    # The session servers run without TELEGRAM_BOT_TOKEN (and without a secret).
    url = f"{servers.rasa_url}/webhooks/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "wat-dan-ook"}
    for _ in range(3):
        answer = httpx.post(url, json=updates.text(4711, "hallo"), headers=headers, timeout=60)
        assert answer.status_code == 503
        assert "Traceback" not in answer.text
    log = servers.workdir / "rasa.log"
    deadline = time.monotonic() + 30
    while "Telegram is off" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert log.read_text().count("Telegram is off") == 1

"""The website channel as a browser and an attacker see it: limits, CORS, the API token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from email.message import Message

import pytest

from burnout_assistant.apps.limits import RATE_LIMITED_TEXT
from burnout_assistant.settings import load_settings
from tests.server.replies import texts

pytestmark = pytest.mark.model


def request(
    url: str, body: bytes | None = None, headers: dict | None = None, method: str | None = None
) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive, as HTTP has them) and body."""
    req = urllib.request.Request(url, body, headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post(servers, payload: object) -> tuple[int, list]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, _, body = request(servers.webhook_url, raw, {"Content-Type": "application/json"})
    return status, json.loads(body or b"[]")


def sender() -> str:
    return f"web-{uuid.uuid4().hex[:12]}"


def test_a_message_over_the_cap_gets_a_dutch_reply_and_reaches_nothing(servers, practice) -> None:
    limit = load_settings(practice["settings_file"]).limits.max_message_chars
    who = sender()
    status, replies = post(servers, {"sender": who, "message": "moe " * limit})
    assert status == 413
    assert "te lang" in texts(replies) and str(limit) in texts(replies)
    # Nothing was stored for that sender: the conversation starts fresh afterwards.
    status, _, body = request(f"{servers.rasa_url}/conversations/{who}/tracker"
                              f"?token={servers.auth_token}")
    assert status == 200 and not [e for e in json.loads(body)["events"] if e["event"] == "user"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", json.dumps({"message": "hoi"}).encode(),
                                  json.dumps({"sender": "a b/../c", "message": "hoi"}).encode(),
                                  json.dumps({"sender": "ok-sender", "message": 42}).encode()])
def test_malformed_requests_get_a_friendly_400(servers, body: bytes) -> None:
    status, replies = post(servers, body)
    assert status == 400
    assert "niet goed aan" in texts(replies)


def test_sender_sending_too_fast_is_slowed_down_kindly(servers, practice) -> None:
    """The whole burst passes; a sender that keeps going is refused soon after."""
    limits = load_settings(practice["settings_file"]).limits
    who = sender()
    statuses = [post(servers, {"sender": who, "message": "hallo"})[0] for _ in range(limits.burst)]
    assert set(statuses) == {200}
    # Tokens trickle back at messages_per_minute; a few more may pass, then one is refused.
    for _ in range(10):
        status, replies = post(servers, {"sender": who, "message": "hallo"})
        if status != 200:
            break
    assert status == 429 and texts(replies) == RATE_LIMITED_TEXT
    # Another visitor is not affected.
    assert post(servers, {"sender": sender(), "message": "hallo"})[0] == 200


def test_cors_only_for_configured_origins(servers, practice) -> None:
    preflight = {"Origin": practice["site_origin"], "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    status, headers, _ = request(servers.webhook_url, headers=preflight, method="OPTIONS")
    assert headers.get("Access-Control-Allow-Origin") == practice["site_origin"]
    evil = {**preflight, "Origin": "https://evil.example"}
    _, headers, _ = request(servers.webhook_url, headers=evil, method="OPTIONS")
    assert "Access-Control-Allow-Origin" not in headers


def test_http_api_needs_the_token(servers) -> None:
    url = f"{servers.rasa_url}/conversations/someone/tracker"
    assert request(url)[0] == 401
    assert request(f"{url}?token=wrong")[0] == 401
    assert request(f"{url}?token={servers.auth_token}")[0] == 200
    assert request(f"{servers.rasa_url}/status")[0] == 401


def test_widget_files_are_served_and_nothing_else(servers) -> None:
    status, headers, body = request(f"{servers.rasa_url}/webhooks/web/chat-widget.js")
    assert status == 200 and "javascript" in headers.get("Content-Type", "") and body
    assert request(f"{servers.rasa_url}/webhooks/web/..%2Fcredentials.yml")[0] == 404
    assert request(f"{servers.rasa_url}/webhooks/web/practice.yml")[0] == 404


def test_channel_cannot_be_spoofed_by_the_client(servers) -> None:
    who = sender()
    status, _ = post(servers, {"sender": who, "message": "hallo", "input_channel": "telegram"})
    assert status == 200
    _, _, body = request(f"{servers.rasa_url}/conversations/{who}/tracker"
                         f"?token={servers.auth_token}")
    channels = {e.get("input_channel") for e in json.loads(body)["events"] if e["event"] == "user"}
    assert channels == {"web"}


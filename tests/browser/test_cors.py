"""A site that is not in channels.web.allowed_origins cannot use the assistant (CORS)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from burnout_assistant.apps.demo_site import running_demo_site
from burnout_assistant.apps.processes import free_port
from tests.browser.widget import Widget

pytestmark = pytest.mark.model
UNREACHABLE = "Ik kan de praktijk nu niet bereiken"


def tracker_events(servers, sender: str) -> list[dict]:
    url = f"{servers.rasa_url}/conversations/{sender}/tracker?token={servers.auth_token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response).get("events") or []


def test_other_origin_gets_the_friendly_message_and_keeps_the_text(
    page, servers, practice
) -> None:
    port = free_port()
    assert port != practice["site_port"]
    with running_demo_site(port, servers.rasa_url) as other_site:
        page.goto(other_site)
        widget = Widget(page)
        replies = widget.open()  # the script and stylesheet load; the conversation cannot
        assert len(replies) == 1 and UNREACHABLE in replies[0]
        replies = widget.say("hoe lang duurt herstel?")
        assert len(replies) == 1 and UNREACHABLE in replies[0]
        expect(widget.input).to_have_value("hoe lang duurt herstel?")  # nothing is lost
        assert widget.user_texts() == []
        sender = widget.state()["sender"]
    assert not [e for e in tracker_events(servers, sender) if e.get("event") == "user"]

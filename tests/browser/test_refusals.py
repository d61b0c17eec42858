"""A message the assistant refuses (error status with a friendly text): shown, and not lost."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.widget import Widget

pytestmark = pytest.mark.model


def test_refusal_text_is_shown_and_the_typed_text_stays(new_page, demo_site, servers) -> None:
    from channels.web import BAD_REQUEST_TEXT

    page = new_page()
    # A stored conversation whose sender id the channel does not accept: every message gets 400.
    state = {"sender": "geen geldige afzender!", "open": False, "greeted": False,
             "phone": False, "items": []}
    key, value = json.dumps(f"bw-chat:{servers.rasa_url}"), json.dumps(json.dumps(state))
    page.add_init_script(f"try {{ sessionStorage.setItem({key}, {value}); }} catch (e) {{}}")
    page.goto(demo_site)
    widget = Widget(page)
    assert widget.open() == [BAD_REQUEST_TEXT]
    assert widget.say("hoe lang duurt herstel?") == [BAD_REQUEST_TEXT]
    expect(widget.input).to_have_value("hoe lang duurt herstel?")
    assert widget.user_texts() == []
    expect(page.locator(".bw-bubble-error")).to_have_count(2)

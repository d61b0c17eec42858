"""The conversation survives a page reload within the session; "Nieuw gesprek" starts over."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.widget import Widget

pytestmark = pytest.mark.model


def test_reload_keeps_the_conversation_and_new_conversation_clears_it(page, demo_site) -> None:
    page.goto(demo_site)
    widget = Widget(page)
    widget.open()
    widget.click_chip("Wat is burn-out?")
    before = widget.transcript()
    sender = widget.state()["sender"]
    assert re.fullmatch(r"web-[0-9a-f]{20}", sender)
    assert "[Wat is burn-out? (gebruikt)]" in before and len(before) > 4

    page.reload()
    widget = Widget(page)
    expect(widget.panel).to_be_visible()  # it was open, so it is open again
    expect(widget.log).to_contain_text("Wat is burn-out?")
    assert widget.transcript() == before  # same texts, same used and unused buttons
    assert widget.state()["sender"] == sender
    # The restored conversation goes on with the same sender: the assistant still knows it.
    more = widget.click_chip("Doe de korte check")
    assert "Vraag 1 van" in " ".join(more)
    assert widget.state()["sender"] == sender
    during = widget.transcript()

    restart = page.get_by_role("button", name="Nieuw gesprek")
    restart.click()
    expect(page.get_by_text("Wil je opnieuw beginnen?")).to_be_visible()
    page.get_by_role("button", name="Annuleren").click()  # step one alone changes nothing
    assert widget.state()["sender"] == sender and widget.transcript() == during

    restart.click()
    page.get_by_role("button", name="Ja, begin opnieuw").click()
    widget.wait_for_reply(0)
    expect(page.get_by_text("Wil je opnieuw beginnen?")).to_be_hidden()
    after = widget.transcript()
    assert "Wat is burn-out? (gebruikt)" not in " ".join(after)
    assert widget.user_texts() == [] and widget.bot_count() == 1  # a fresh welcome only
    assert "digitale assistent" in widget.bot_texts()[0]
    new_sender = widget.state()["sender"]
    assert new_sender != sender and re.fullmatch(r"web-[0-9a-f]{20}", new_sender)
    expect(widget.input).to_be_focused()

    page.reload()  # the new conversation is the one that is kept
    expect(Widget(page).panel).to_be_visible()
    assert Widget(page).transcript() == after

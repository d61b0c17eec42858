"""A visitor on the practice's website: welcome, questions, the check and a booking, by clicking.

Real Chromium, real demo site, real Rasa + action server + Radicale + SQLite leads database.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from burnout_assistant.check.questionnaire import current_questionnaire, score_answers
from tests.browser.conftest import ROOT
from tests.browser.widget import Widget

pytestmark = pytest.mark.model
DOCS_SCREENSHOT = ROOT / "docs" / "widget.png"


def test_welcome_then_questions_by_chips_and_typing(page, demo_site, screenshots) -> None:
    page.goto(demo_site)
    widget = Widget(page)
    expect(widget.panel).to_be_hidden()
    welcome = widget.open()
    expect(widget.input).to_be_focused()
    assert "digitale assistent" in " ".join(welcome)
    assert widget.user_texts() == []  # the greeting went out silently
    titles = widget.chip_titles()
    assert "Doe de korte check" in titles and "Plan een gratis kennismaking" in titles
    tags = widget.chips().evaluate_all("chips => chips.map(c => c.tagName)")
    assert tags and set(tags) == {"BUTTON"}
    page.screenshot(path=screenshots / "widget-desktop-welcome.png")

    menu = widget.click_chip("Ik heb een andere vraag")
    assert widget.user_texts() == ["Ik heb een andere vraag"]
    welcome_chips = page.locator(".bw-chips").first.get_by_role("button")
    for i in range(welcome_chips.count()):  # a used group cannot be clicked again
        expect(welcome_chips.nth(i)).to_be_disabled()
    assert menu and "Waarom rust niet helpt" in widget.chip_titles()

    answer = " ".join(widget.click_chip("Waarom rust niet helpt")).lower()
    assert "rust" in answer
    assert widget.user_texts()[-1] == "Waarom rust niet helpt"  # the title, not the payload
    widget.click_chip("Ik heb nog een vraag")  # the answer's follow-up button
    costs = " ".join(widget.click_chip("Kosten")).lower()
    assert "gratis" in costs and costs != answer

    cortisol = " ".join(widget.say("wat doet cortisol eigenlijk?")).lower()
    assert "cortisol" in cortisol
    assert widget.input.input_value() == ""

    contact = " ".join(widget.say("kan ik iemand van de praktijk spreken?"))
    phone = re.search(r"\+31[\d ]{9,}\d", contact)
    assert phone, contact
    href = "tel:" + phone.group(0).replace(" ", "")
    tel = page.locator(".bw-row-bot").last.locator(f'a[href="{href}"]')
    expect(tel).to_have_text(phone.group(0))  # phone numbers in replies are tel: links
    assert page.locator(".bw-bubble script, .bw-bubble img").count() == 0
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") or not DOCS_SCREENSHOT.exists():
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOT)


def test_check_by_clicking_then_booking_the_call(page, demo_site, practice, screenshots) -> None:
    from burnout_assistant.records.leads import LeadStore

    questionnaire = current_questionnaire()
    page.goto(demo_site)
    widget = Widget(page)
    widget.open()
    replies = widget.click_chip("Doe de korte check")
    answers = {}
    for number, question in enumerate(questionnaire.questions, start=1):
        assert f"Vraag {number} van {len(questionnaire.questions)}" in replies[-1]
        option = questionnaire.options(question)[3]  # "Vaak" and its peers on other scales
        assert widget.chip_titles()[3] == option.label
        answers[question.id] = option.value
        replies = widget.click_chip(index=3)
    result = " ".join(replies)
    expected = score_answers(questionnaire, answers)
    assert expected.band_text in result
    assert "geen diagnose" in result and "huisarts" in result
    page.screenshot(path=screenshots / "widget-check-result.png")

    offer = widget.click_chip("Plan een gratis kennismaking")
    assert "gratis" in " ".join(offer)
    first_slot = widget.chip_titles()[0]
    assert re.search(r"\d{1,2}:\d{2}", first_slot), first_slot
    widget.click_chip(index=0)
    assert widget.user_texts()[-1] == first_slot

    widget.say("Sanne de Vries")
    for name, value in {"type": "tel", "autocomplete": "tel", "inputmode": "tel",
                        "placeholder": "Je telefoonnummer"}.items():
        expect(widget.input).to_have_attribute(name, value)
    widget.say("06 12345678")
    expect(widget.input).to_have_attribute("type", "text")  # back to text after the phone
    consent = " ".join(widget.click_chip("Geen e-mail"))
    assert "bewaren" in consent
    share = " ".join(widget.click_chip(index=0))  # yes, you may keep my details
    assert "antwoorden uit de check" in share  # a separate yes or no
    summary = " ".join(widget.click_chip("Ja, deel mijn antwoorden"))
    assert "Sanne de Vries" in summary
    done = " ".join(widget.click_chip(index=0))  # yes, plan it
    assert "we bellen je" in done.lower()
    reference = re.search(r"boekingscode is ([A-Z0-9]{6})\b", done)
    assert reference, done
    page.screenshot(path=screenshots / "widget-booking-confirmation.png")

    lead = LeadStore(practice["leads_url"]).get_by_reference(reference.group(1))
    assert lead is not None
    assert lead.channel == "web" and lead.sender_id == widget.state()["sender"]
    assert lead.name == "Sanne de Vries" and lead.check_band == expected.band

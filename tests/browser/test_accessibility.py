"""Accessibility basics and the phone layout of the widget."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.widget import Widget

pytestmark = pytest.mark.model


def test_roles_labels_and_keyboard(page, demo_site) -> None:
    page.goto(demo_site)
    widget = Widget(page)
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    widget.launcher.focus()
    before = widget.bot_count()
    page.keyboard.press("Enter")  # opens from the keyboard too
    expect(widget.panel).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()
    expect(widget.typing).to_have_attribute("aria-label", "De assistent typt…")
    widget.wait_for_reply(before)

    expect(widget.log).to_have_attribute("aria-live", "polite")
    for name in ("Sluiten", "Nieuw gesprek", "Verstuur"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(widget.input).to_have_attribute("placeholder", "Typ je bericht…")
    unnamed = page.locator(".bw-root button, .bw-root input").evaluate_all(
        """els => els.filter(e => !(e.getAttribute('aria-label') || e.textContent.trim()))
                      .map(e => e.outerHTML)""")
    assert unnamed == []

    # Tab from the log reaches the answer buttons (after the greeting's helpline links).
    page.get_by_role("log").focus()
    first_chip = widget.chips().first
    for _ in range(8):
        if first_chip.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(first_chip).to_be_focused()
    outline = first_chip.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none"  # a visible focus ring

    widget.input.fill("een vraag die ik nog niet verstuur")
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    widget.launcher.click()
    expect(widget.input).to_have_value("een vraag die ik nog niet verstuur")
    assert widget.user_texts() == []  # Escape sent nothing, and opening again greets no twice
    assert widget.bot_count() == 1


def test_phone_layout_fills_the_screen_without_sideways_scrolling(
    new_page, demo_site, screenshots
) -> None:
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(demo_site)
    widget = Widget(page)
    widget.open()
    widget.click_chip("Plan een gratis kennismaking")
    box = widget.panel.bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    overflow = page.evaluate("""() => [document.documentElement.scrollWidth,
        document.querySelector('.bw-log').scrollWidth,
        document.querySelector('.bw-log').clientWidth]""")
    assert overflow[0] <= 375 and overflow[1] <= overflow[2]
    for control in [*widget.chips().all(), widget.input,
                    page.get_by_role("button", name="Verstuur"),
                    page.get_by_role("button", name="Sluiten")]:
        size = control.bounding_box()
        assert size["height"] >= 44 and size["width"] >= 44, control
    page.screenshot(path=screenshots / "widget-mobile.png")
    page.get_by_role("button", name="Sluiten").click()
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_visible()

"""Driving the chat widget in a page the way a visitor does: click, type, wait for the reply."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Locator, Page, expect

REPLY_TIMEOUT_MS = 30_000  # the machine is slow and shared: one reply may take a while
# Done when more assistant rows are shown than before and nothing is pending any more.
_REPLIED = """(before) => document.querySelectorAll('.bw-row-bot').length > before
    && document.querySelector('.bw-typing').hidden"""


def _visible(text: str) -> str:
    """A bubble's text without the "Jij:"/"Assistent:" that only screen readers get."""
    return re.sub(r"^(Jij|Assistent):\s*", "", text)


class Widget:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Chat met ons")
        self.panel = page.get_by_role("dialog", name=re.compile(r"^Chat met "))
        self.log = page.get_by_role("log")
        self.input = page.get_by_role("textbox", name="Je bericht")
        self.typing = page.locator(".bw-typing")

    # ---- reading
    def bot_count(self) -> int:
        return self.page.locator(".bw-row-bot").count()

    def bot_texts(self, since: int = 0) -> list[str]:
        """Texts of the assistant's messages (from the ``since``-th on), as the visitor sees."""
        texts = self.page.locator(".bw-row-bot").evaluate_all(
            "rows => rows.map(r => (r.querySelector('.bw-bubble') || {}).innerText || '')")
        return [_visible(t) for t in texts[since:]]

    def user_texts(self) -> list[str]:
        return [_visible(t) for t in self.page.locator(".bw-bubble-user").all_inner_texts()]

    def transcript(self) -> list[str]:
        """Every bubble and chip in order, with chips marked as used or not."""
        return self.log.evaluate("""log => Array.from(
            log.querySelectorAll('.bw-bubble, .bw-chip'),
            n => n.classList.contains('bw-chip')
                ? `[${n.textContent}${n.disabled ? ' (gebruikt)' : ''}]` : n.innerText)""")

    def chips(self) -> Locator:
        """The newest group of answer buttons."""
        return self.page.locator(".bw-chips").last.get_by_role("button")

    def chip_titles(self) -> list[str]:
        return self.chips().all_inner_texts()

    def state(self) -> dict:
        """What the widget keeps in sessionStorage (sender id, transcript, open or not)."""
        raw = self.page.evaluate("""() => Object.keys(sessionStorage)
            .filter(k => k.startsWith('bw-chat:')).map(k => sessionStorage.getItem(k))""")
        assert len(raw) == 1, raw
        return json.loads(raw[0])

    # ---- acting
    def wait_for_reply(self, before: int) -> list[str]:
        self.page.wait_for_function(_REPLIED, arg=before, timeout=REPLY_TIMEOUT_MS)
        return self.bot_texts(since=before)

    def open(self) -> list[str]:
        """Open the panel; the first time, the assistant's welcome arrives by itself."""
        before = self.bot_count()
        self.launcher.click()
        expect(self.panel).to_be_visible()
        return self.wait_for_reply(before)

    def click_chip(self, title: str | None = None, index: int | None = None) -> list[str]:
        """Click a button of the newest group, by title or position; returns the replies."""
        chip = (self.chips().nth(index) if index is not None
                else self.chips().filter(has_text=re.compile(f"^{re.escape(title)}$")))
        expect(chip).to_be_enabled()
        before = self.bot_count()
        chip.click()
        return self.wait_for_reply(before)

    def say(self, text: str) -> list[str]:
        """Type a message and press Enter; returns the replies."""
        self.input.fill(text)
        before = self.bot_count()
        self.input.press("Enter")
        return self.wait_for_reply(before)

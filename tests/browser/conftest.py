"""Browser fixtures: the demo site on the one origin CORS allows, and a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burnout_assistant.apps.demo_site import running_demo_site
from tests.browser.widget import REPLY_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def demo_site(servers, practice: dict) -> Iterator[str]:
    """The practice's website, on the port whose origin the assistant allows (CORS)."""
    with running_demo_site(practice["site_port"], servers.rasa_url) as url:
        assert url == practice["site_origin"]
        yield url


@pytest.fixture
def new_page(browser):
    """Make pages in fresh contexts (own sessionStorage); all are closed after the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=REPLY_TIMEOUT_MS)
    contexts = []

    def _new_page(viewport: dict | None = None, **options):
        context = browser.new_context(viewport=viewport or DESKTOP, locale="nl-NL", **options)
        context.set_default_timeout(REPLY_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

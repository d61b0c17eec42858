"""Browser fixtures: the demo site on the one origin CORS allows, and a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burnout_assistant.demo_site import running_demo_site
from tests.browser.widget import REPLY_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def demo_site(servers, practice: dict) -> Iterator[str]:
    """The practice's website, on the port whose origin the assistant allows (CORS)."""
    with running_demo_site(practice["site_port"], servers.rasa_url) as url:
        assert url == practice["site_origin"]
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=REPLY_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Make pages in fresh contexts (own sessionStorage); all are closed after the test."""
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

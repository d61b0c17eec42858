"""Session fixtures: one trained model per input state, one pair of servers per session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.servers import RunningAssistant, running_assistant

ROOT = Path(__file__).resolve().parents[1]
# Stores and calendars every room's tests use: a fresh leads database (SQLite and
# PostgreSQL) and a fresh Radicale collection per test.
pytest_plugins = ["tests.fixtures.stores", "tests.fixtures.calendar"]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the NLU evaluation report, so the test command always shows the F1."""
    from tests.check.test_typed_answers import REPORT as TYPED
    from tests.model.test_crisis_corpus import REPORT as CRISIS
    from tests.model.test_nlu import REPORT

    for title, lines in (("NLU evaluation (independent test set)", REPORT),
                         ("Crisis safety net (independent writers)", CRISIS),
                         ("Typed check answers (by scale and writer)", TYPED)):
        if lines:
            terminalreporter.section(title)
            for line in lines:
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model; trains only if config, domain or data changed since the last run."""
    from burnout_assistant.apps.training import ensure_model

    return ensure_model(ROOT, quiet=True)


@pytest.fixture(scope="session")
def agent(model_path: Path):
    """Rasa agent loaded in-process, for NLU-level checks without HTTP."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


@pytest.fixture(scope="session")
def parse(agent):
    """Parse a text through the full NLU pipeline (guard, classifiers, crisis override)."""
    loop = asyncio.new_event_loop()

    def _parse(text: str) -> dict:
        return loop.run_until_complete(agent.parse_message(text))

    yield _parse
    loop.close()


@pytest.fixture(scope="session")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A real Radicale with the practice calendar, and settings that point at it.

    The leads database (SQLite) and the mail outbox live in a temp folder, so every test
    session starts empty and the developer's run/ folder is never touched.
    """
    import yaml

    from burnout_assistant.apps.radicale_server import running_radicale
    from devtools.servers import free_port, settings_for_local_run

    workdir = tmp_path_factory.mktemp("practice")
    # The demo site of the browser tests runs here; only this origin gets CORS headers.
    site_port = free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    with running_radicale(workdir / "radicale") as base_url:
        settings_file = settings_for_local_run(workdir, base_url, origins=[site_origin])
        raw = yaml.safe_load(settings_file.read_text())
        yield {
            "site_port": site_port,
            "site_origin": site_origin,
            "settings_file": settings_file,
            "calendar_url": raw["calendar"]["url"],
            "leads_url": raw["leads"]["database_url"],
            "outbox": workdir / "outbox",
        }


@pytest.fixture(scope="session")
def servers(
    model_path: Path, practice: dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAssistant]:
    """A real action server and Rasa server on free loopback ports, SQLite tracker store."""
    env = {"PRACTICE_SETTINGS": str(practice["settings_file"])}
    with running_assistant(model_path, tmp_path_factory.mktemp("servers"), env) as running:
        yield running


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium per test module, driven by Playwright.

    ``playwright install`` cannot download browsers here; ./scripts/test installs Debian's
    chromium package instead. Module scope, not session: while Playwright's sync API is
    running, its event loop counts as running in this thread, and later tests that run a loop
    of their own (the Rasa agent, asyncio.run) would fail.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (./scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=nl-NL"],
        )
        yield browser
        browser.close()

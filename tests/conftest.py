"""Session fixtures: one trained model per input state, one pair of servers per session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from burnout_assistant.config_files import load_yaml
from devtools.servers import RunningAssistant, running_assistant

ROOT = Path(__file__).resolve().parents[1]
# Stores and calendars every room's tests use: a fresh leads database (SQLite and
# PostgreSQL) and a fresh Radicale collection per test.
pytest_plugins = ["tests.fixtures.stores", "tests.fixtures.calendar"]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


# Test lanes. ``model`` tests load the trained model (in process or in a server) and must say
# so themselves; ``browser``, ``scale`` and ``postgres`` follow from what a test uses.
MODEL_FIXTURES = {"model_path", "agent", "parse", "parse_many", "servers", "telegram_rig",
                  "demo_site"}
BROWSER_FIXTURES = {"browser", "page", "new_page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & MODEL_FIXTURES and item.get_closest_marker("model") is None:
            unmarked.append(item.nodeid.split("::")[0])
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if item.path.is_relative_to(ROOT / "tests" / "scale"):
            item.add_marker(pytest.mark.scale)
        callspec = getattr(item, "callspec", None)
        if "postgres_database" in fixtures or (
                callspec and "postgresql" in callspec.params.values()):
            item.add_marker(pytest.mark.postgres)
    if unmarked:
        raise pytest.UsageError(
            "tests that load the model must carry pytest.mark.model (the fast lane skips "
            "them): " + ", ".join(sorted(set(unmarked))))


def missing_system_package(reason: str) -> None:
    """Skip for want of Chromium, nginx or Xandikos (the second CalDAV server of the calendar
    tests, see tests/fixtures/calendar.py), except in the full test command, which installs
    them: there a missing package is a failure, not a quiet skip."""
    if os.environ.get("BURNOUT_FULL_RUN"):
        pytest.fail(reason)
    pytest.skip(reason)


def nginx_binary() -> str:
    """Debian's nginx (or ``$NGINX``), which the full test command installs."""
    import shutil

    found = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).is_file():
        missing_system_package("nginx is not installed (./scripts/test installs it)")
    return found


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
def run_async():
    """Run a coroutine on the one event loop the in-process agent is used from."""
    loop = asyncio.new_event_loop()
    yield loop.run_until_complete
    loop.close()


@pytest.fixture(scope="session")
def parse(agent, run_async):
    """Parse a text through the full NLU pipeline (guard, classifiers, crisis override)."""

    def _parse(text: str) -> dict:
        return run_async(agent.parse_message(text))

    return _parse


@pytest.fixture(scope="session")
def parse_many(agent):
    """Parse many texts through the same NLU graph ``parse`` runs, a batch at a time.

    Rasa's components take lists of messages, and DIET predicts a batch in one pass, so the
    evaluations over thousands of messages cost a fraction of one call per text.
    ``tests/model/test_nlu.py`` checks that both give the same labels.
    """
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT

    processor = agent.processor
    target = processor.model_metadata.nlu_target

    def _parse_many(texts: list[str], batch: int = 64) -> list[dict]:
        parsed = []
        for start in range(0, len(texts), batch):
            messages = [UserMessage(text) for text in texts[start:start + batch]]
            results = processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: messages,
                        PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("batch", [])},
                targets=[target])
            for message in results[target]:
                data = {TEXT: "", INTENT: {"name": None, "confidence": 0.0}, ENTITIES: []}
                data.update(message.as_dict(only_output_properties=True))
                processor._update_full_retrieval_intent(data)  # as parse_message does
                parsed.append(data)
        return parsed

    return _parse_many


# The Telegram side of the shared servers: the bot token the fake Bot API accepts, and a
# practice name with ``&``, ``<`` and ``*_`` so every welcome tests the escaping.
TELEGRAM_TOKEN = "123456:TEST-token_for-the-fake"
PRACTICE_NAME = "Praktijk Veerkracht & <Zorg> *_"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator:
    """A small local fake of Telegram's Bot API (Telegram's own servers are out of reach)."""
    from tests.apps.telegram.fake_bot_api import FakeBotApi

    with FakeBotApi(TELEGRAM_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def practice(tmp_path_factory: pytest.TempPathFactory, telegram_api) -> Iterator[dict]:
    """A real Radicale with the practice calendar, and settings that point at it.

    The leads database (SQLite) and the mail outbox live in a temp folder, so every test
    session starts empty and the developer's run/ folder is never touched. Telegram talks to
    the local fake Bot API.
    """
    import secrets

    from burnout_assistant.apps.processes import free_port
    from burnout_assistant.apps.radicale_server import running_radicale
    from devtools.servers import settings_for_local_run

    workdir = tmp_path_factory.mktemp("practice")
    # The demo site of the browser tests runs here; only this origin gets CORS headers.
    site_port = free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    with running_radicale(workdir / "radicale") as base_url:
        settings_file = settings_for_local_run(
            workdir, base_url, origins=[site_origin], practice__name=PRACTICE_NAME,
            channels__telegram__api_base_url=telegram_api.api_base_url)
        raw = load_yaml(settings_file.read_text())
        env = {"PRACTICE_SETTINGS": str(settings_file), "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
               "TELEGRAM_SECRET_TOKEN": secrets.token_urlsafe(32)}
        yield {
            "site_port": site_port,
            "site_origin": site_origin,
            "settings_file": settings_file,
            "settings": raw,
            "env": env,
            "calendar_url": raw["calendar"]["url"],
            "leads_url": raw["leads"]["database_url"],
            "outbox": workdir / "outbox",
        }


@pytest.fixture(scope="session")
def servers(
    model_path: Path, practice: dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningAssistant]:
    """The one real action server and Rasa server pair of the session, on free loopback ports
    with a SQLite tracker store and Telegram switched on (against the fake Bot API); the
    server, browser, dashboard and Telegram tests all talk to it."""
    with running_assistant(model_path, tmp_path_factory.mktemp("servers"),
                           practice["env"]) as running:
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
        missing_system_package(f"no Chromium at {CHROMIUM} (./scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=nl-NL"],
        )
        yield browser
        browser.close()

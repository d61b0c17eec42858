"""A long button's token pressed in another Sanic worker or replica still works: the channel
finds the button in the conversation's recent messages in the shared tracker store."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from burnout_assistant.apps.telegram_buttons import STALE_BUTTON_TEXT, CallbackPayloads

LONG = '/inform{"slot_choice":"2026-11-24T09:00:00+01:00","reschedule":"ABC123XYZ"}'


@pytest.fixture
def parts():
    """Rasa's in-memory store and events, imported when a test runs."""
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from channels.telegram import TelegramInput

    domain = Domain.empty()
    store = InMemoryTrackerStore(domain)
    tracker = DialogueStateTracker("4242", domain.slots)
    tracker.update(UserUttered("wanneer kan ik bellen?"))
    tracker.update(BotUttered("Kies een tijd", {"buttons": [
        {"title": "di 24 nov 09:00", "payload": LONG}, {"title": "Ja", "payload": "/affirm"}]}))
    asyncio.run(store.save(tracker))
    return SimpleNamespace(store=store, channel=TelegramInput())


def test_a_token_from_another_process_is_found_in_the_conversation(parts) -> None:
    token = CallbackPayloads().data_for(LONG)  # handed out by another worker
    assert token.startswith("p:")
    channel = parts.channel
    assert channel._callbacks.payload_for(token) is None  # unknown in this process
    agent = SimpleNamespace(tracker_store=parts.store)
    assert asyncio.run(channel.learn_recent_buttons(agent, "4242"))
    assert channel._callbacks.payload_for(token) == LONG


def test_an_unknown_conversation_or_no_store_learns_nothing(parts) -> None:
    channel = parts.channel
    agent = SimpleNamespace(tracker_store=parts.store)
    assert not asyncio.run(channel.learn_recent_buttons(agent, "someone-else"))
    assert not asyncio.run(channel.learn_recent_buttons(None, "4242"))
    assert STALE_BUTTON_TEXT  # what such a press still gets


def test_a_store_that_is_down_leaves_the_stale_reply(parts) -> None:
    class Down:
        async def retrieve(self, _sender: str):
            raise ConnectionError("database away")

    assert not asyncio.run(parts.channel.learn_recent_buttons(
        SimpleNamespace(tracker_store=Down()), "4242"))

"""End to end over the REST channel: real Rasa server, real action server, SQLite tracker."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from burnout_assistant.settings import load_settings
from tests.server.replies import texts

ROOT = Path(__file__).parents[2]
SETTINGS = load_settings(ROOT / "practice.yml")
pytestmark = pytest.mark.model


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_first_message_explains_what_it_is(servers, practice) -> None:
    replies = servers.send(new_sender(), "hallo")
    text = texts(replies)
    # Filled from the practice settings by action_session_start (the session's name has
    # "&", "<" and "*_" in it: the web channel passes it on as plain text).
    assert load_settings(practice["settings_file"]).practice.name in text
    assert "digitale assistent" in text and "geen therapeut" in text
    assert "30 dagen" in text and "werkgever" in text  # the privacy line, true to practice.yml
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "Doe de korte check" in titles and "Plan een gratis kennismaking" in titles


def test_faq_answer_offers_next_steps(servers) -> None:
    replies = servers.send(new_sender(), "wat doet cortisol eigenlijk met je lichaam?")
    assert "cortisol" in texts(replies).lower()
    payloads = {b["payload"] for r in replies for b in r.get("buttons", [])}
    assert payloads & {"/start_symptom_check", "/book_intro_call"}


def test_crisis_interrupts_and_names_every_helpline(servers) -> None:
    sender = new_sender()
    servers.send(sender, "hoe lang duurt herstel van een burn-out?")
    text = texts(servers.send(sender, "ik zie geen uitweg meer en wil dood"))
    for must in ("113", "0800-0113", "113.nl", "112", "huisarts", "huisartsenpost", "1813"):
        assert must in text
    # one "nee" does not switch safety off
    servers.send(sender, "nee")
    assert "113" in texts(servers.send(sender, "ik wil er niet meer zijn"))


def test_idiom_gets_no_crisis_answer(servers) -> None:
    assert "113" not in texts(servers.send(new_sender(), "ik ben doodmoe van mijn werk"))


def test_request_human_gives_the_practice_contact(servers) -> None:
    text = texts(servers.send(new_sender(), "kan ik iemand van de praktijk spreken?"))
    assert SETTINGS.practice.phone in text and SETTINGS.practice.email in text


def test_bot_challenge_is_honest(servers) -> None:
    text = texts(servers.send(new_sender(), "ben jij een robot?"))
    assert "digitale assistent" in text and "geen mens" in text


def test_two_misses_offer_a_call_back(servers) -> None:
    sender = new_sender()
    first = texts(servers.send(sender, "🙈🙉🙊"))
    assert "emoji" in first
    second = servers.send(sender, "🤷")
    assert "terugbellen" in texts(second) and SETTINGS.practice.phone in texts(second)
    assert any(b["payload"] == "/book_intro_call" for r in second for b in r.get("buttons", []))


def test_other_language_gets_a_dutch_reply(servers) -> None:
    text = texts(servers.send(new_sender(), "hello, can you tell me what burnout is please"))
    assert "alleen Nederlands" in text


def test_huge_message_gets_a_normal_reply(servers) -> None:
    replies = servers.send(new_sender(), "wat kost een traject? " + "echt " * 30000)
    assert replies and texts(replies)


def test_empty_message_gets_a_reply(servers) -> None:
    replies = servers.send(new_sender(), "   ")
    assert "leeg" in texts(replies)


def test_no_message_text_in_the_logs(servers) -> None:
    marker = f"geheimwoord{uuid.uuid4().hex[:8]}"
    servers.send(new_sender(), f"mijn naam is {marker} en ik ben moe")
    for log in ("rasa.log", "actions.log"):
        assert marker not in (servers.workdir / log).read_text(errors="replace")


def test_servers_run_without_what_they_never_use(servers) -> None:
    """deploy/rasa_cli.py: the Rasa server (and any worker) has TensorFlow but not the JAX it
    would import; the action server, after a typed check answer (spaCy's tokenizer, whose
    thinc would import TensorFlow), has neither, and still placed the answer."""
    import psutil

    sender = f"ram-{uuid.uuid4().hex[:8]}"
    servers.send(sender, "ik wil graag de korte check doen")
    replies = texts(servers.send(sender, "heel vaak"))
    assert any("2" in reply or "?" in reply for reply in replies), replies  # the next question
    rasa = psutil.Process(servers.rasa_pid)
    for proc in [rasa, *rasa.children(recursive=True)]:
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "libtensorflow_cc" in maps  # the right process: TensorFlow is loaded
        assert "xla_extension" not in maps and "jaxlib" not in maps
    maps = Path(f"/proc/{servers.action_pid}/maps").read_text()
    assert "spacy" in maps  # the typed answer went through the tokenizer
    assert "libtensorflow" not in maps and "xla_extension" not in maps

"""Names typed into the booking form stay answers, through the real classifier (issue 13).

Inside a form the classifier alone never decides: a reply leaves a free-text question only
when its intent leaves AND its words are a clear command
(burnout_assistant/dialogue/form_answers.py).
A crisis always leaves. A name that is also a word of distress ("Kees Dood", "Klaar") may get
the unsure tier: the direct question, after which "nee" resumes the form and asks the name
again (data/rules/safety.yml). Safety comes first there; the certain tier never fires on a name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from burnout_assistant.config_files import load_yaml
from burnout_assistant.dialogue.form_answers import leaves_form
from burnout_assistant.language.contact import extract_name

ROOT = Path(__file__).parents[2]
NAMES = load_yaml((ROOT / "tests" / "booking" / "names.yml").read_text())["names"]

pytestmark = pytest.mark.model


def test_the_table_is_big_and_has_the_names_that_are_words() -> None:
    assert len(NAMES) >= 100
    typed = " ".join(row["text"] for row in NAMES)
    for word in ["Stoppels", "de Rust", "Slaap", "Moes", "Test", "de Moed"]:
        assert word in typed, word


def test_every_name_stays_in_the_form(parse) -> None:
    left, unread, asked = [], [], []
    for row in NAMES:
        parsed = parse(row["text"])
        intent = parsed["intent"]["name"]
        tier = (parsed.get("crisis_decision") or {}).get("tier")
        if intent == "crisis" and tier == "unsure":
            asked.append(row["text"])
        elif intent == "crisis" or leaves_form(row["text"], intent):
            left.append((row["text"], intent, tier))
        name = extract_name(row["text"])
        if name is None or name.lower() != row["name"].lower():
            unread.append((row["text"], name))
    assert left == [], left
    assert len(asked) <= len(NAMES) // 15, asked  # the direct question, then back to the form
    assert len(unread) <= len(NAMES) // 20, unread  # at most 5 % asked again, never dropped


@pytest.mark.parametrize(("text", "intent"), [
    ("ik wil stoppen", "stop"), ("stop", "stop"), ("laat maar zitten", "stop"),
    ("kan ik eerst de test doen", "start_symptom_check"),
    ("verwijder mijn gegevens", "delete_data"), ("ben jij een bot?", "bot_challenge"),
    ("ik wil een mens spreken", "request_human"),
])
def test_clear_commands_still_leave(text: str, intent: str) -> None:
    assert leaves_form(text, intent)

"""Odd messages are recognised before the classifiers see them."""

import pytest

from burnout_assistant.language.incoming import MessageKind, inspect_text, looks_foreign


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty(text) -> None:
    assert inspect_text(text).kind is MessageKind.EMPTY


@pytest.mark.parametrize("text", ["😢😢", "👍", "🙈 🙉 🙊", "?!", "..."])
def test_emoji_only(text: str) -> None:
    assert inspect_text(text).kind is MessageKind.EMOJI_ONLY


@pytest.mark.parametrize(
    "text",
    [
        "what is burnout and how do you treat it",
        "can I talk to someone please",
        "ich bin sehr müde und habe keine Energie, was kann ich tun",
        "je suis fatigué et je ne dors pas bien, comment faire",
    ],
)
def test_other_languages(text: str) -> None:
    assert inspect_text(text).kind is MessageKind.FOREIGN


@pytest.mark.parametrize(
    "text",
    [
        "quick question: hoe lang duurt een burnout herstel?",
        "to be honest ik heb geen energie meer voor mijn werk",
        "kan ik een call inplannen ASAP",
        "zijt ge een robot of nie",
        "hoi",
        "burnout",
        "😢 ik ben zo moe",
    ],
)
def test_dutch_with_english_words_stays_dutch(text: str) -> None:
    assert inspect_text(text).kind is MessageKind.OK


def test_long_message_is_capped_and_marked() -> None:
    result = inspect_text("ik ben moe " * 1000, max_chars=500)
    assert len(result.text) == 500 and result.truncated
    assert result.kind is MessageKind.OK


def test_short_messages_are_never_foreign() -> None:
    assert not looks_foreign("hello there")

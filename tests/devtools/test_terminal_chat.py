"""The terminal chat numbers buttons so a typed digit acts as a click."""

from devtools.terminal_chat import render


def test_buttons_are_numbered_across_replies() -> None:
    text, payloads = render(
        [
            {"text": "Hoi", "buttons": [{"title": "Check", "payload": "/start_symptom_check"}]},
            {"text": "Of", "buttons": [{"title": "Bel", "payload": "/book_intro_call"}]},
        ]
    )
    assert payloads == ["/start_symptom_check", "/book_intro_call"]
    assert "[1] Check" in text and "[2] Bel" in text

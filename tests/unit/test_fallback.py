"""Not understood twice in a row means: offer a person instead of asking again."""

from burnout_assistant.fallback import consecutive_misses, fallback_response
from burnout_assistant.incoming import MessageKind


def test_counts_only_the_latest_run_of_misses() -> None:
    assert consecutive_misses(["greet", "nlu_fallback", "faq", "nlu_fallback"]) == 1
    assert consecutive_misses(["greet", "out_of_scope", "nlu_fallback"]) == 2
    assert consecutive_misses(["greet", "faq"]) == 0
    assert consecutive_misses([]) == 0


def test_first_miss_asks_to_rephrase_second_offers_a_call() -> None:
    assert fallback_response(1) == "utter_rephrase"
    assert fallback_response(2) == "utter_second_miss"
    assert fallback_response(5) == "utter_second_miss"


def test_odd_messages_get_their_own_reply_once() -> None:
    assert fallback_response(1, MessageKind.EMPTY) == "utter_empty_message"
    assert fallback_response(1, "emoji_only") == "utter_emoji_only"
    assert fallback_response(1, MessageKind.FOREIGN) == "utter_other_language"
    assert fallback_response(2, MessageKind.FOREIGN) == "utter_second_miss"

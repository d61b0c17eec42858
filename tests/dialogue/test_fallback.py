"""Not understood twice in a row means: offer a person instead of asking again."""

from burnout_assistant.config_files import load_yaml
from burnout_assistant.dialogue.fallback import consecutive_misses, miss_reply, reply_for_miss
from burnout_assistant.language.incoming import MessageKind


def test_counts_only_the_latest_run_of_misses() -> None:
    assert consecutive_misses(["greet", "nlu_fallback", "faq", "nlu_fallback"]) == 1
    assert consecutive_misses(["greet", "out_of_scope", "nlu_fallback"]) == 2
    assert consecutive_misses(["greet", "faq"]) == 0
    assert consecutive_misses([]) == 0


def test_first_miss_asks_to_rephrase_second_offers_a_call() -> None:
    assert miss_reply(1) == "rephrase"
    assert miss_reply(2) == "second_miss"
    assert miss_reply(5) == "second_miss"


def test_odd_messages_get_their_own_reply_once() -> None:
    assert miss_reply(1, MessageKind.EMPTY) == "empty"
    assert miss_reply(1, "emoji_only") == "emoji_only"
    assert miss_reply(1, MessageKind.FOREIGN) == "foreign"
    assert miss_reply(2, MessageKind.FOREIGN) == "second_miss"


def test_every_reply_is_a_slot_value_with_a_rule() -> None:
    from pathlib import Path


    root = Path(__file__).parents[2]
    values = set(load_yaml((root / "domain.yml").read_text())["slots"]["miss_reply"]["values"])
    replies = {miss_reply(1, kind) for kind in MessageKind} | {miss_reply(2)}
    replies |= {reply_for_miss(1, MessageKind.FOREIGN, "delete my data please")}
    assert replies == values
    rules = (root / "data" / "rules" / "fallback.yml").read_text()
    assert all(f"miss_reply: {value}" in rules for value in values)


def test_an_erasure_request_is_never_refused_for_its_language() -> None:
    for text in ["delete my data please", "please erase all my information",
                 "can you remove everything about me", "verwijder alles van mij"]:
        assert reply_for_miss(1, MessageKind.FOREIGN, text) == "erase", text
        assert reply_for_miss(2, MessageKind.OK, text) == "erase", text
    assert reply_for_miss(1, MessageKind.FOREIGN, "where is the station") == "foreign"

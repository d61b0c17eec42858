"""The per-sender rate limit and the size cap that every channel applies."""

from __future__ import annotations

from burnout_assistant.apps.limits import RateLimiter, too_long_reply


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_visitor_clicking_through_the_check_is_never_slowed_down() -> None:
    """Ten answers in twenty seconds, then a booking: well within the burst."""
    clock = Clock()
    limiter = RateLimiter(20, burst=30, clock=clock)
    for _ in range(25):
        assert limiter.allow("visitor")
        clock.now += 2


def test_a_script_empties_the_bucket_and_is_then_held_to_the_sustained_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(60, burst=5, clock=clock)  # one token a second
    assert [limiter.allow("bot") for _ in range(6)] == [True] * 5 + [False]
    clock.now += 0.5
    assert not limiter.allow("bot")  # half a token is not a message
    clock.now += 0.5
    assert limiter.allow("bot") and not limiter.allow("bot")
    clock.now += 3600  # a long pause refills to the burst, not beyond
    assert sum(limiter.allow("bot") for _ in range(10)) == 5


def test_refused_messages_do_not_extend_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(6, burst=1, clock=clock)  # one token per 10 s
    assert limiter.allow("a")
    for _ in range(9):
        clock.now += 1
        assert not limiter.allow("a")
    clock.now += 1  # 10 s after the only counted message, refusals in between
    assert limiter.allow("a")


def test_senders_are_limited_separately() -> None:
    limiter = RateLimiter(1, burst=1, clock=Clock())
    assert limiter.allow("a") and limiter.allow("b")
    assert not limiter.allow("a")


def test_memory_is_bounded_by_dropping_the_least_recent_sender() -> None:
    limiter = RateLimiter(1, burst=1, max_senders=2, clock=Clock())
    limiter.allow("a")
    limiter.allow("b")
    limiter.allow("c")  # "a" is forgotten: it may talk again
    assert limiter.allow("a")
    assert not limiter.allow("c")


def test_burst_and_rate_must_be_positive() -> None:
    import pytest

    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(10, burst=0)


def test_too_long_reply_names_both_numbers_in_dutch() -> None:
    text = too_long_reply(1500, 1000)
    assert "1500" in text and "1000" in text and "korter" in text


def test_a_turn_without_any_reply_gets_the_friendly_failure_text() -> None:
    """Rasa stays silent when the action server is down; the channels must not."""
    from burnout_assistant.apps.limits import FAILED_TEXT
    from channels.common import answered

    assert answered([]) == [{"text": FAILED_TEXT}]
    replies = [{"text": "hoi"}]
    assert answered(replies) is replies

"""The per-sender rate limit and the size cap that every channel applies."""

from __future__ import annotations

from burnout_assistant.apps.limits import RateLimiter, too_long_reply


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sender_over_the_limit_is_refused_until_the_window_moves() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    clock.now += 59.9
    assert not limiter.allow("a")
    clock.now += 0.2  # the first message is now more than a minute old
    assert limiter.allow("a")


def test_refused_messages_do_not_extend_the_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    assert limiter.allow("a")
    for _ in range(10):
        clock.now += 5
        assert not limiter.allow("a")
    clock.now += 11  # 61 s after the only counted message
    assert limiter.allow("a")


def test_senders_are_limited_separately() -> None:
    limiter = RateLimiter(1, clock=Clock())
    assert limiter.allow("a") and limiter.allow("b")
    assert not limiter.allow("a")


def test_memory_is_bounded_by_dropping_the_least_recent_sender() -> None:
    limiter = RateLimiter(1, max_senders=2, clock=Clock())
    limiter.allow("a")
    limiter.allow("b")
    limiter.allow("c")  # "a" is forgotten: it may talk again
    assert limiter.allow("a")
    assert not limiter.allow("c")


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

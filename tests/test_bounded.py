"""The bounded map behind the rate limiter, the login throttle and Telegram's button tokens."""

from __future__ import annotations

import pytest

from burnout_assistant.bounded import LruDict


def test_the_least_recently_used_entry_goes_first() -> None:
    seen: LruDict[str, int] = LruDict(2)
    seen["a"], seen["b"] = 1, 2
    assert seen["a"] == 1  # read: now the most recent
    seen["c"] = 3
    assert dict(seen) == {"a": 1, "c": 3}
    seen["a"] = 10  # written: the most recent again
    seen["d"] = 4
    assert list(seen) == ["a", "d"] and len(seen) == 2


def test_a_check_is_not_a_use() -> None:
    seen: LruDict[str, int] = LruDict(2)
    seen["a"], seen["b"] = 1, 2
    assert "a" in seen and seen.peek("a") == 1 and seen.peek("x", 0) == 0
    seen["c"] = 3
    assert "a" not in seen and seen.peek("a") is None


def test_get_and_pop_work_as_on_a_dict() -> None:
    seen: LruDict[str, int] = LruDict(3)
    seen["a"] = 1
    assert seen.get("a") == 1 and seen.get("b") is None and seen.get("b", 7) == 7
    assert seen.pop("a") == 1 and seen.pop("a", None) is None and len(seen) == 0


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        LruDict(0)

"""A dict that keeps at most a fixed number of entries, dropping the least recently used.

Per-sender and per-address state (rate windows, login failures, Telegram button tokens) is
kept in memory, and a flood of new senders must not grow it without end. One helper for all
of them: no maintained LRU mapping is installed (Rasa 3.6 does not pull in cachetools), and
three hand-written copies had grown.

Not thread-safe, like ``dict`` operations that span several steps: callers that share one
across threads hold their own lock around each use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruDict(MutableMapping[K, V]):
    """At most ``max_size`` entries; reading or writing one makes it the most recent.

    ``in`` and :meth:`peek` look without counting as a use.
    """

    def __init__(self, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self._items: OrderedDict[K, V] = OrderedDict()

    def __getitem__(self, key: K) -> V:
        value = self._items[key]
        self._items.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def __delitem__(self, key: K) -> None:
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def peek(self, key: K, default: V | None = None) -> V | None:
        """The value without making it the most recent (a check is not a use)."""
        return self._items.get(key, default)

"""A bounded LRU cache of sentence results, keyed by (model id, sentence text).

Keying on the text rather than the position means a moved, repeated or restored sentence
costs nothing; the model id in the key means a model switch never serves stale results.
The bound is on an estimate of the bytes held, not on the entry count, because a
500-token sentence holds fifty times what a 10-token one does.

Each entry carries the stamp of its last use (a counter, not a clock). Work done ahead of
need (explanations computed in the background) stores with `keep_after`: it may evict only
entries last used before that stamp, so that it never pushes out what the same pass made or
asked for first (its most likely hovers) to make room for its least likely.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    def __init__(self, max_bytes: int, weigh: Callable[[str, V], int]) -> None:
        self.max_bytes = max_bytes
        self._weigh = weigh
        # key -> (value, its weight, the stamp of its last use); least recently used first.
        self._entries: OrderedDict[tuple[str, str], tuple[V, int, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._stamps = itertools.count()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def stamp(self) -> int:
        """A stamp later than every use so far: what `keep_after` takes."""
        with self._lock:
            return next(self._stamps)

    def get(self, model_id: str, text: str) -> V | None:
        key = (model_id, text)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries[key] = (entry[0], entry[1], next(self._stamps))
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def has_room(self, keep_after: int) -> bool:
        """Whether a `put(..., keep_after)` could store something now."""
        with self._lock:
            return self.bytes < self.max_bytes or self._evictable(keep_after)

    def put(self, model_id: str, text: str, value: V, keep_after: int | None = None) -> bool:
        """Store `value`, evicting the least recently used entries over the bound; with
        `keep_after`, only those last used before it. False (nothing stored) when that is
        not enough room."""
        key = (model_id, text)
        size = self._weigh(text, value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size, next(self._stamps))
            self.bytes += size
            while self.bytes > self.max_bytes and len(self._entries) > 1:
                if keep_after is not None and not self._evictable(keep_after):
                    del self._entries[key]
                    self.bytes -= size
                    return False
                _, (_, evicted, _) = self._entries.popitem(last=False)
                self.bytes -= evicted
            return True

    def _evictable(self, keep_after: int) -> bool:
        oldest = next(iter(self._entries.values()), None)
        return oldest is not None and oldest[2] < keep_after

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

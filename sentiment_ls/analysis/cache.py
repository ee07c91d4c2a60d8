"""A bounded LRU cache of sentence results, keyed by (model id, sentence text).

Keying on the text rather than the position means a moved, repeated or restored sentence
costs nothing; the model id in the key means a model switch never serves stale results.
The bound is on an estimate of the bytes held, not on the entry count, because a
500-token sentence holds fifty times what a 10-token one does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    def __init__(self, max_bytes: int, weigh: Callable[[str, V], int]) -> None:
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._entries: OrderedDict[tuple[str, str], tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, model_id: str, text: str) -> V | None:
        key = (model_id, text)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, model_id: str, text: str, value: V) -> None:
        key = (model_id, text)
        size = self._weigh(text, value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and len(self._entries) > 1:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

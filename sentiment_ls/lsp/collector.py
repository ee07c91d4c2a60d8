"""Python's cyclic garbage collector, kept off the edit path.

A full collection walks every object the server holds: the model's Python side, the caches
of results and explanations, the open documents. With a 2,000-sentence document analysed
that took 75-86 ms, and the automatic ones fell where they happened to: 14 of them in one
server's run (its start, the first analysis and 50 edits), some on edits, which they made the
slowest (bench/RESULTS.md, issue 24's edit notes).

So after each document's analysis, `gc.freeze` moves what is alive then (what the server
keeps) out of the automatic collections, which afterwards walk only what came since: an
edit's own objects. Frozen objects still die by reference counting; what they hold of cyclic
garbage waits for the full collection made once the server has been idle for `IDLE_S`
(unfreeze, collect, freeze again), when nobody waits for an answer, or, under edits that
never pause that long, after `MAX_FROZEN` analyses, so that what waits stays bounded.
"""

from __future__ import annotations

import asyncio
import gc

IDLE_S = 5.0
MAX_FROZEN = 500


class IdleCollector:
    def __init__(self, idle_s: float = IDLE_S, max_frozen: int = MAX_FROZEN) -> None:
        self.idle_s = idle_s
        self.max_frozen = max_frozen
        self._idle: asyncio.TimerHandle | None = None
        self._frozen = 0  # analyses since the last full collection

    def settled(self) -> None:
        """An analysis is done: freeze what is alive now, and collect in full once no other
        analysis follows for `idle_s` (or now, after `max_frozen` of them)."""
        self._frozen += 1
        if self._frozen >= self.max_frozen:
            self.collect()
            return
        gc.freeze()
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(self.idle_s, self.collect)

    def collect(self) -> None:
        """A full collection of everything, frozen or not; then freeze what is left."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self._frozen = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()

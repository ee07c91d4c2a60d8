"""The server freezes what it keeps after each analysis, so that automatic collections
during edits walk only new objects, and collects everything once idle (lsp/collector.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from sentiment_ls.lsp.collector import IdleCollector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle() -> weakref.ref[Node]:
    """A two-node cycle that only the cyclic collector can free; a weak reference to it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


async def test_frozen_objects_are_left_to_the_idle_collection() -> None:
    collector = IdleCollector(idle_s=0.05)
    garbage = _cycle()
    collector.settled()
    assert gc.get_freeze_count() > 0
    gc.collect()  # what edits set off: frozen objects are not walked
    assert garbage() is not None
    await asyncio.sleep(0.2)  # idle: the full collection ran
    assert garbage() is None


async def test_each_analysis_puts_the_idle_collection_off() -> None:
    collector = IdleCollector(idle_s=1.0)
    garbage = _cycle()
    collector.settled()
    await asyncio.sleep(0.6)
    collector.settled()  # another analysis before the server was idle long enough
    await asyncio.sleep(0.6)
    gc.collect()
    assert garbage() is not None
    await asyncio.sleep(1.0)
    assert garbage() is None


async def test_edits_that_never_pause_still_get_a_full_collection_now_and_then() -> None:
    collector = IdleCollector(idle_s=60.0, max_frozen=3)
    garbage = _cycle()
    collector.settled()
    collector.settled()
    gc.collect()
    assert garbage() is not None
    collector.settled()  # the third: collected in full at once
    assert garbage() is None

"""Model work runs on worker threads, in priority order, off the LSP event loop.

The service keeps two: one for documents and one for what a person waits on (hovers,
commands), so a hover never queues behind a document. Within a worker a priority queue
puts visible sentences before the rest, and document analysis is submitted in chunks so
that a newer version or more urgent work gets its turn between them.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from enum import IntEnum
from typing import Any, TypeVar

T = TypeVar("T")


class Cancelled(Exception):
    """The caller no longer wants this result (a newer document version arrived)."""


class Priority(IntEnum):
    HOVER = 0
    VISIBLE = 1
    DOCUMENT = 2
    BACKGROUND = 3


_Job = tuple[int, int, Callable[[], Any] | None, "Future[Any] | None"]


class ModelWorker:
    def __init__(self, name: str = "sentiment-ls-model") -> None:
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._counter = itertools.count()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, priority: Priority, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((int(priority), next(self._counter), fn, future))
        return future

    async def run(self, priority: Priority, fn: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.submit(priority, fn))

    def has_waiting(self, before: Priority) -> bool:
        """Whether a job more urgent than `before` waits in the queue: work running at
        `before` can stop between its steps and let it go first."""
        with self._queue.mutex:  # the heap's first entry is its most urgent
            return bool(self._queue.queue) and self._queue.queue[0][0] < before

    def shutdown(self) -> None:
        # Sorts after every real job: the worker drains the queue and then stops.
        self._queue.put((len(Priority) + 1, next(self._counter), None, None))

    def _run(self) -> None:
        while True:
            _, _, fn, future = self._queue.get()
            if fn is None or future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as error:  # handed to the awaiting coroutine, never lost
                future.set_exception(error)

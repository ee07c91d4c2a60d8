"""Model work runs on worker threads, in priority order, off the LSP event loop.

The service keeps two: one for documents and one for what a person waits on (hovers,
commands), so a hover never queues behind a document. Within a worker a priority queue
puts visible sentences before the rest, and document analysis is submitted in chunks so
that a newer version or more urgent work gets its turn between them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
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


def lower_this_threads_priority(niceness: int) -> bool:
    """Make the calling thread yield the CPU to the process's other threads: on Linux a
    thread has a nice value of its own (setpriority on its thread id). Elsewhere nothing
    happens, and the queue's order is the only priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):
        return False
    return True


class ModelWorker:
    def __init__(
        self,
        name: str = "sentiment-ls-model",
        niceness: int = 0,  # the thread's own nice value (Linux): 19 yields to the others
    ) -> None:
        self._niceness = niceness
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

    def shutdown(self) -> None:
        # Sorts after every real job: the worker drains the queue and then stops.
        self._queue.put((len(Priority) + 1, next(self._counter), None, None))

    def _run(self) -> None:
        if self._niceness:
            lower_this_threads_priority(self._niceness)
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

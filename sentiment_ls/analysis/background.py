"""Explanations computed ahead of the hovers that will ask for them, at idle priority.

Each document has at most one list of sentences left to explain (its newest request replaces
what was left of the older one, and goes first: it follows what the user does), drained one
explanation per job at `Priority.BACKGROUND` on the document worker: document analysis goes
first, and the interactive worker stays free for hovers. While a document has an edit not yet
analysed (`hold`), nothing is explained at all: the debounce ends with the worker free. An
explanation in progress yields too: between its forward batches it stops when an edit holds
the background or more urgent work waits on the worker, and its sentence goes back to the
front of the list. A Shapley explanation takes hundreds of milliseconds on a long sentence, and
an edit that waited for one to finish missed its debounce by as much (bench/RESULTS.md).

A job per sentence and per publish grew the queue without bound under 20 edits/s; a third
worker thread at nice 19 took the serving peak RSS from 255 to 394 MB and, beside a CPU-bound
process, starved.

The bound is the explanation cache's bytes: a pass evicts only what was last used before it
began, and stops when only its own work is left to evict (see analysis/cache.py).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sentiment_ls.analysis.runtimes import ExtraMissing
from sentiment_ls.analysis.scheduling import Cancelled, ModelWorker, Priority

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
    from sentiment_ls.analysis.explain import MethodOptions

LOG = logging.getLogger(__name__)
# Sentences already in the cache are skipped within one job, for at most this long, so that
# a re-queued document walks its explained sentences quickly without holding the worker.
SKIP_SLICE_S = 0.005
COMPUTED, READY, YIELDED = "computed", "ready", "yielded"


@dataclass(frozen=True)
class BackgroundReport:
    """How a document's background pass ended: of `queued` sentences, `computed`
    explanations made and `ready` found in the cache, in `seconds`; `stopped` says why it
    ended before its list did, `left` sentences before the end; `yielded` explanations were
    stopped part way to let more urgent work go first (and computed again later)."""

    key: str
    queued: int
    computed: int
    ready: int
    left: int
    seconds: float
    stopped: str | None = None
    yielded: int = 0


@dataclass
class _Work:
    key: str
    analyses: deque[SentenceAnalysis]
    method: str
    options: MethodOptions
    is_current: Callable[[], bool]
    report: Callable[[BackgroundReport], None] | None
    keep_after: int  # the cache stamp when the pass began
    queued: int = 0
    started: float = field(default_factory=time.perf_counter)
    computed: int = 0
    ready: int = 0
    yielded: int = 0

    def ended(self, stopped: str | None = None) -> None:
        if self.report is not None:
            seconds = time.perf_counter() - self.started
            self.report(
                BackgroundReport(
                    self.key,
                    self.queued,
                    self.computed,
                    self.ready,
                    len(self.analyses),
                    seconds,
                    stopped,
                    self.yielded,
                )
            )


class BackgroundExplanations:
    def __init__(self, worker: ModelWorker, engine: Callable[[], SentimentEngine | None]) -> None:
        self._worker = worker
        self._engine = engine
        self._work: dict[str, _Work] = {}  # the first goes first
        # Per document, what its passes explained, and for which model, method and options:
        # a pass queued again (each publish, each request that moves the anchor) skips them
        # here instead of finding them one by one in the cache on the worker, where that
        # walk held the GIL for milliseconds against the hovers on the event loop.
        self._done: dict[str, tuple[tuple[str, str, MethodOptions], set[str]]] = {}
        self._holds: set[str] = set()
        self._lock = threading.Lock()
        self._scheduled = False

    def pending(self, key: str) -> int:
        """Sentences left to explain of the document `key`."""
        with self._lock:
            work = self._work.get(key)
            return len(work.analyses) if work is not None else 0

    @property
    def keys(self) -> list[str]:
        """The documents with work left, in the order they are served."""
        with self._lock:
            return list(self._work)

    def queue(
        self,
        key: str,
        analyses: Sequence[SentenceAnalysis],
        method: str,
        options: MethodOptions,
        is_current: Callable[[], bool],
        report: Callable[[BackgroundReport], None] | None = None,
    ) -> int:
        """Explain `analyses` (toward each one's predicted label) in this order, replacing
        what was left of the document `key`, ahead of the other documents; those an earlier
        pass of `key` explained are left out. How many are queued (none: no pass, no
        report)."""
        engine = self._engine()
        if engine is None:
            return 0
        variant = (engine.model_id, method, options)
        with self._lock:
            done = self._done.get(key)
            if done is None or done[0] != variant:
                done = self._done[key] = (variant, set())
            left = deque(a for a in analyses if a.text not in done[1])
            self._work.pop(key, None)
            if not left:
                return 0
            stamp = engine.explanation_stamp()
            work = _Work(key, left, method, options, is_current, report, stamp, len(left))
            self._work = {key: work, **self._work}
        self._schedule()
        return len(left)

    def drop(self, key: str, forget: bool = False) -> int:
        """Forget what is left of the document `key` (edited), and with `forget` (closed)
        what its passes explained; how many sentences were left."""
        with self._lock:
            work = self._work.pop(key, None)
            if forget:
                self._done.pop(key, None)
        return len(work.analyses) if work is not None else 0

    def hold(self, key: str) -> None:
        """Explain nothing until `release(key)`: the document `key` awaits its analysis."""
        with self._lock:
            self._holds.add(key)

    def release(self, key: str) -> None:
        with self._lock:
            self._holds.discard(key)
        self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled or self._holds or not self._work:
                return
            self._scheduled = True
        self._worker.submit(Priority.BACKGROUND, self._explain_next)

    def _explain_next(self) -> None:
        """Explanations until one is computed (or a slice of ready ones passed), then this
        job again while work is left and nothing holds it."""
        deadline = time.perf_counter() + SKIP_SLICE_S
        outcome = READY
        while outcome == READY and time.perf_counter() < deadline:
            with self._lock:
                work = None if self._holds else next(iter(self._work.values()), None)
                if work is None:
                    break
                analysis = work.analyses.popleft() if work.analyses else None
            outcome = self._explain(work, analysis) if analysis is not None else READY
            if outcome not in (COMPUTED, READY, YIELDED):
                self._end(work, outcome)
            elif not work.analyses:
                self._end(work, None)
        with self._lock:
            self._scheduled = False
        self._schedule()

    def _explain(self, work: _Work, analysis: SentenceAnalysis) -> str:
        """Explain one sentence: COMPUTED, READY (it was in the cache), YIELDED (stopped part
        way, back at the front of the list), or why the document's pass stops here."""
        engine = self._engine()
        if engine is None:
            return "model changed"
        if not work.is_current():
            return "document changed"
        if engine.cached_explanation(analysis, None, work.method, work.options) is not None:
            work.ready += 1
            outcome = READY
        else:
            try:
                should_stop = functools.partial(self._should_yield, work)
                if not engine.explain_ahead(
                    analysis, work.method, work.options, work.keep_after, should_stop
                ):
                    return "explanation cache full"
            except Cancelled:
                with self._lock:
                    work.analyses.appendleft(analysis)
                work.yielded += 1
                return YIELDED
            except ExtraMissing as missing:  # the hover says so, and uses the default method
                return str(missing)
            except Exception:  # a failed precomputation costs a hover, nothing more
                LOG.exception("background explanation failed")
                return COMPUTED
            work.computed += 1
            outcome = COMPUTED
        with self._lock:
            done = self._done.get(work.key)
            if done is not None and done[0] == (engine.model_id, work.method, work.options):
                done[1].add(analysis.text)
        return outcome

    def _should_yield(self, work: _Work) -> bool:
        """Whether the explanation in progress should stop: an edit holds the background, more
        urgent work waits on the worker, or its document changed."""
        # Read without the lock: a stale answer costs one forward batch either way.
        return (
            bool(self._holds)
            or self._worker.has_waiting(Priority.BACKGROUND)
            or not work.is_current()
        )

    def _end(self, work: _Work, why: str | None) -> None:
        with self._lock:
            if self._work.get(work.key) is not work:
                return  # replaced or dropped meanwhile: that said its own end
            del self._work[work.key]
        work.ended(why)

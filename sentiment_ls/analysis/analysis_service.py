"""The editor's analysis service (in-process; the team service is `request.TeamService`):
owns the loaded model and runs document and sentence analyses on the
model worker, in priority order. No LSP here: callers pass texts and get results back.

The runtime's libraries (onnxruntime; torch and transformers for the torch runtime) are
imported on the worker, when the model loads, so that a server answers `initialize` first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from sentiment_ls.analysis.background import BackgroundExplanations, BackgroundReport
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.scheduling import Cancelled, ModelWorker, Priority
from sentiment_ls.document import Sentence, document_sentences

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
    from sentiment_ls.analysis.explain import Explanation, MethodOptions
    from sentiment_ls.analysis.loaded_model import LoadedModel

LOG = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 64  # sentences per worker job: a hover waits for at most one chunk


class ModelStatus(Enum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class DocumentResult:
    sentences: list[Sentence]
    analyses: list[SentenceAnalysis]


class ModelNotReady(Exception):
    """Raised to callers that need the model while it is loading or after it failed, or
    while the team service it requires (`service.mode` `require`) is unavailable."""


async def _unless_service_down(work: Awaitable[T]) -> T:
    """The result of `work`; a required service's outage (said once, by the runtime) as
    ModelNotReady, which every caller already answers without an error per request."""
    from sentiment_ls.analysis.runtimes.remote import ServiceUnavailable

    try:
        return await work
    except ServiceUnavailable as error:
        raise ModelNotReady(str(error)) from error


def build_engine(request: LoadRequest) -> SentimentEngine:
    from sentiment_ls.analysis import preload
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import load_model

    return SentimentEngine(preload.take(request) or load_model(request))


def _method_options(
    method: str | None, steps: int | None, token_view: bool
) -> tuple[str, MethodOptions]:
    """The method and options an explanation request means: one function, so that a
    background explanation and a hover's share a cache entry."""
    from sentiment_ls.analysis.explain import DEFAULT_METHOD, MethodOptions

    options = MethodOptions(token_view=token_view)
    if steps is not None:
        options = MethodOptions(steps=steps, token_view=token_view)
    return method or DEFAULT_METHOD, options


class AnalysisService:
    def __init__(self) -> None:
        self.worker = ModelWorker()
        # Hovers and commands get a worker of their own: someone is waiting for them, and
        # behind a document chunk they would wait ~100 ms. Each worker's torch calls use
        # one core (configure_threads), so the two run side by side on a 2-core machine.
        self.interactive = ModelWorker("sentiment-ls-interactive")
        self.status = ModelStatus.LOADING
        self.error: str | None = None
        self.engine: SentimentEngine | None = None
        self.request: LoadRequest | None = None
        self._settled = asyncio.Event()
        # Explanations ahead of hovers, at idle priority on the document worker.
        self.background = BackgroundExplanations(self.worker, lambda: self.engine)

    @property
    def loaded(self) -> LoadedModel | None:
        return self.engine.loaded if self.engine else None

    async def load(self, request: LoadRequest) -> None:
        """Load (or reload) the model on the worker; a failure is kept, never raised."""
        self.request = request
        self.status, self.error = ModelStatus.LOADING, None
        self._settled.clear()
        try:
            engine = await self.worker.run(Priority.HOVER, lambda: build_engine(request))
        except Exception as error:  # any load failure leaves a server that explains it
            LOG.exception("model load failed")
            if self.request == request:
                self.status, self.error, self.engine = ModelStatus.FAILED, str(error), None
                self._settled.set()
            return
        if self.request == request:  # a newer load may have started meanwhile
            self.engine, self.status = engine, ModelStatus.READY
            self._settled.set()

    async def wait_until_settled(self) -> None:
        await self._settled.wait()

    def require_engine(self) -> SentimentEngine:
        if self.engine is None or self.status is not ModelStatus.READY:
            raise ModelNotReady(self.describe_status())
        return self.engine

    def describe_status(self) -> str:
        name = self.request.model if self.request else "the model"
        if self.status is ModelStatus.LOADING:
            return f"model loading (`{name}`)…"
        if self.status is ModelStatus.FAILED:
            return f"the model `{name}` could not be loaded: {self.error}"
        return f"model `{name}` ready"

    async def sentences(self, text: str, language_id: str) -> list[Sentence]:
        # Splitting a long document takes a while; keep it off the event loop, and off the
        # model worker so that hovers never wait behind it.
        return await asyncio.to_thread(document_sentences, text, language_id)

    async def analyze_document(
        self,
        sentences: Sequence[Sentence],
        is_current: Callable[[], bool],
        priority: Priority = Priority.DOCUMENT,
    ) -> DocumentResult | None:
        """Results for every sentence, or None when the document changed meanwhile."""
        engine = self.require_engine()
        texts = [s.text for s in sentences]
        analyses: list[SentenceAnalysis] = []
        for start in range(0, len(texts), CHUNK):
            if not is_current():
                return None
            chunk = texts[start : start + CHUNK]
            try:
                analyses += await _unless_service_down(
                    self.worker.run(
                        priority,
                        lambda c=chunk: engine.analyze(c, should_stop=lambda: not is_current()),  # type: ignore[misc]
                    )
                )
            except Cancelled:
                return None
        return DocumentResult(list(sentences), analyses)

    async def analyze_sentence(self, text: str) -> SentenceAnalysis:
        engine = self.require_engine()
        cached = engine.cached(text)
        if cached is not None:
            return cached
        results = await _unless_service_down(
            self.interactive.run(Priority.HOVER, lambda: engine.analyze([text]))
        )
        return results[0]

    async def explain(
        self,
        analysis: SentenceAnalysis,
        label: str | None = None,
        method: str | None = None,
        steps: int | None = None,
        token_view: bool = True,
    ) -> Explanation:
        """Attributions toward `label` (the predicted one when None) by `method` (the default
        when None); `steps` for Integrated Gradients; words only unless `token_view`. Runs at
        hover priority: someone waits."""
        engine = self.require_engine()

        def run() -> Explanation:
            return engine.explain(analysis, label, *_method_options(method, steps, token_view))

        return await _unless_service_down(self.interactive.run(Priority.HOVER, run))

    def cached_explanation(
        self,
        analysis: SentenceAnalysis,
        method: str | None = None,
        steps: int | None = None,
        token_view: bool = True,
    ) -> Explanation | None:
        """What `explain` would answer for the predicted label from the cache (explained
        ahead, or asked for before), without waiting for a worker; None if not there."""
        engine = self.engine
        if engine is None or self.status is not ModelStatus.READY:
            return None
        return engine.cached_explanation(
            analysis, None, *_method_options(method, steps, token_view)
        )

    def explain_in_background(
        self,
        key: str,
        analyses: Sequence[SentenceAnalysis],
        method: str | None,
        steps: int | None,
        token_view: bool,
        is_current: Callable[[], bool],
        report: Callable[[BackgroundReport], None] | None = None,
    ) -> int:
        """Compute the explanations `explain` would compute for these arguments, in their
        order, at idle priority (analysis/background.py); `key` names the document: this
        replaces what was left of its earlier request. `report` hears how the pass ended,
        on the worker's thread. How many sentences were queued."""
        options = _method_options(method, steps, token_view)
        return self.background.queue(key, analyses, *options, is_current, report)

    def shutdown(self) -> None:
        self.worker.shutdown()
        self.interactive.shutdown()

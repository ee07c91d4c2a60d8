"""Word attributions of flagged sentences are computed in the background, so that the hover
that follows is a cache hit; a changed document's queued work is dropped."""

from __future__ import annotations

from sentiment_ls.analysis.analysis_service import AnalysisService, ModelStatus
from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.settings import Settings

TEXT = "The installer is broken again and nobody seems to care."


def _service(embedded_engine: SentimentEngine) -> AnalysisService:
    service = AnalysisService()
    service.engine = SentimentEngine(embedded_engine.loaded)  # a cache of its own
    service.status = ModelStatus.READY
    return service


async def test_the_hover_after_a_background_explanation_is_a_cache_hit(
    embedded_engine: SentimentEngine,
) -> None:
    service = _service(embedded_engine)
    engine = service.engine
    assert engine is not None
    (analysis,) = engine.analyze([TEXT])
    service.explain_in_background("doc", [analysis], None, 20, False, lambda: True)
    # Same priority, queued later: runs once the background job is done.
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    cache = engine._explanations
    hits, entries = cache.hits, len(cache)
    assert entries == 1
    # What the hover asks for (lsp/hover.py): the settings' method and steps, words only.
    method = Settings().explainMethod
    explanation = await service.explain(analysis, method=method, steps=20, token_view=False)
    assert cache.hits == hits + 1 and len(cache) == entries  # served, nothing computed
    assert explanation.words
    service.shutdown()


async def test_background_work_of_a_changed_document_is_dropped(
    embedded_engine: SentimentEngine,
) -> None:
    service = _service(embedded_engine)
    engine = service.engine
    assert engine is not None
    (analysis,) = engine.analyze([TEXT + " Again."])
    service.explain_in_background("doc", [analysis], None, 20, False, lambda: False)
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    assert len(engine._explanations) == 0
    service.shutdown()


async def test_a_stream_of_publishes_keeps_one_pending_list_per_document(
    embedded_engine: SentimentEngine,
) -> None:
    """Regression: a job per sentence per publish piled up in the queue under 20 edits/s."""
    import threading

    service = _service(embedded_engine)
    engine = service.engine
    assert engine is not None
    analyses = engine.analyze([f"{TEXT} Version {i}." for i in range(5)])
    release = threading.Event()
    service.worker.submit(Priority.DOCUMENT, release.wait)  # the worker is busy meanwhile
    for _ in range(200):
        service.explain_in_background("doc", analyses, None, 20, False, lambda: True)
    assert service.worker._queue.qsize() <= 2
    assert len(service._background["doc"].analyses) == 5
    release.set()
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    while service._background:  # the drain re-queues itself behind the sentinel
        await service.worker.run(Priority.BACKGROUND, lambda: None)
    # The last sentence leaves the list before it is explained: one more turn of the worker.
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    assert len(engine._explanations) == 5
    service.shutdown()


async def test_the_document_asked_about_last_goes_first(
    embedded_engine: SentimentEngine,
) -> None:
    """A hover or a visible-range change re-asks for its document: its work moves ahead of
    the other documents' (lsp/ahead.py ExplainAhead)."""
    import threading

    service = _service(embedded_engine)
    engine = service.engine
    assert engine is not None
    analyses = engine.analyze([TEXT])
    release = threading.Event()
    service.worker.submit(Priority.DOCUMENT, release.wait)  # the worker is busy meanwhile
    for key in ("a", "b", "c"):
        service.explain_in_background(key, analyses, None, 20, False, lambda: True)
    assert list(service._background) == ["c", "b", "a"]
    service.explain_in_background("a", analyses, None, 20, False, lambda: True)
    assert list(service._background) == ["a", "c", "b"]
    release.set()
    service.shutdown()

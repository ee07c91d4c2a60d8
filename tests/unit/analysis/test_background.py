"""Word attributions are computed in the background (analysis/background.py), so that the
hover that follows is a cache hit; a changed document's queued work is dropped, an edit holds
all of it, and the explanation cache's bound stops a pass instead of evicting its own work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from sentiment_ls.analysis.analysis_service import AnalysisService, ModelStatus
from sentiment_ls.analysis.background import BackgroundReport
from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.settings import Settings

Reporter = Callable[[BackgroundReport], None]
TEXT = "The installer is broken again and nobody seems to care."


def _service(
    embedded_engine: SentimentEngine, **engine_options: int
) -> tuple[AnalysisService, SentimentEngine]:
    """A ready service on the embedded model, with its engine (a cache of its own)."""
    service = AnalysisService()
    engine = service.engine = SentimentEngine(embedded_engine.loaded, **engine_options)
    service.status = ModelStatus.READY
    return service, engine


def _reports() -> tuple[list[BackgroundReport], asyncio.Event, Reporter]:
    """A `report` callback that can be awaited from the test's event loop."""
    loop = asyncio.get_running_loop()
    reports: list[BackgroundReport] = []
    arrived = asyncio.Event()

    def report(result: BackgroundReport) -> None:
        reports.append(result)
        loop.call_soon_threadsafe(arrived.set)

    return reports, arrived, report


async def test_the_hover_after_a_background_explanation_is_a_cache_hit(
    embedded_engine: SentimentEngine,
) -> None:
    service, engine = _service(embedded_engine)
    (analysis,) = engine.analyze([TEXT])
    reports, arrived, report = _reports()
    service.explain_in_background("doc", [analysis], None, 20, False, lambda: True, report)
    await asyncio.wait_for(arrived.wait(), 60)
    assert reports == [BackgroundReport("doc", 1, 1, 0, 0, reports[0].seconds)]
    cache = engine._explanations
    hits, entries = cache.hits, len(cache)
    assert entries == 1
    # What the hover asks for (lsp/hover.py): the settings' method and steps, words only,
    # from the cache without a worker ...
    method = Settings().explainMethod
    ready = service.cached_explanation(analysis, method, 20, token_view=False)
    assert ready is not None and ready.words
    # ... and through `explain` the same.
    explanation = await service.explain(analysis, method=method, steps=20, token_view=False)
    assert explanation is ready
    assert cache.hits == hits + 2 and len(cache) == entries  # served, nothing computed
    service.shutdown()


async def test_background_work_of_a_changed_document_is_dropped(
    embedded_engine: SentimentEngine,
) -> None:
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([TEXT + " Again.", TEXT + " And again."])
    reports, arrived, report = _reports()
    service.explain_in_background("doc", analyses, None, 20, False, lambda: False, report)
    await asyncio.wait_for(arrived.wait(), 60)
    assert len(engine._explanations) == 0
    assert reports[0].stopped == "document changed" and reports[0].computed == 0
    service.shutdown()


async def test_a_stream_of_publishes_keeps_one_pending_list_per_document(
    embedded_engine: SentimentEngine,
) -> None:
    """Regression: a job per sentence per publish piled up in the queue under 20 edits/s."""
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([f"{TEXT} Version {i}." for i in range(5)])
    release = threading.Event()
    service.worker.submit(Priority.DOCUMENT, release.wait)  # the worker is busy meanwhile
    for _ in range(200):
        service.explain_in_background("doc", analyses, None, 20, False, lambda: True)
    assert service.worker._queue.qsize() <= 2
    assert service.background.pending("doc") == 5
    reports, arrived, report = _reports()
    service.explain_in_background("doc", analyses, None, 20, False, lambda: True, report)
    release.set()
    await asyncio.wait_for(arrived.wait(), 60)
    assert len(engine._explanations) == 5 and reports[0].computed == 5
    service.shutdown()


async def test_the_document_asked_about_last_goes_first(
    embedded_engine: SentimentEngine,
) -> None:
    """A hover or another request re-asks for its document: its work moves ahead of the
    other documents' (lsp/ahead.py ExplainAhead)."""
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([TEXT])
    release = threading.Event()
    service.worker.submit(Priority.DOCUMENT, release.wait)  # the worker is busy meanwhile
    for key in ("a", "b", "c"):
        service.explain_in_background(key, analyses, None, 20, False, lambda: True)
    assert service.background.keys == ["c", "b", "a"]
    service.explain_in_background("a", analyses, None, 20, False, lambda: True)
    assert service.background.keys == ["a", "c", "b"]
    release.set()
    service.shutdown()


async def test_an_edit_holds_everything_and_drops_its_documents_work(
    embedded_engine: SentimentEngine,
) -> None:
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([f"{TEXT} Held {i}." for i in range(3)])
    background = service.background
    background.hold("edited")  # an edit of one document awaits its analysis
    reports, arrived, report = _reports()
    service.explain_in_background("other", analyses, None, 20, False, lambda: True, report)
    service.explain_in_background("edited", analyses, None, 20, False, lambda: True)
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    assert len(engine._explanations) == 0  # nothing ran while held
    assert background.drop("edited") == 3 and background.drop("edited") == 0
    background.release("edited")
    await asyncio.wait_for(arrived.wait(), 60)
    assert reports[0].key == "other" and reports[0].computed == 3
    assert background.keys == []
    service.shutdown()


async def test_a_full_cache_stops_the_pass_instead_of_evicting_its_own_work(
    embedded_engine: SentimentEngine,
) -> None:
    # Room for about two explanations of these sentences (~2.5 KB each).
    service, engine = _service(embedded_engine, explanation_cache_bytes=5_000)
    analyses = engine.analyze([f"{TEXT} Number {i}." for i in range(6)])
    reports, arrived, report = _reports()
    service.explain_in_background("doc", analyses, None, 20, False, lambda: True, report)
    await asyncio.wait_for(arrived.wait(), 60)
    (result,) = reports
    assert result.stopped == "explanation cache full"
    assert 1 <= result.computed < 6 and result.left > 0
    bytes_held, bound = engine.explanation_cache
    assert bytes_held <= bound
    # The first explained (the most likely hovered) are the ones kept.
    assert service.cached_explanation(analyses[0], None, 20, token_view=False) is not None
    service.shutdown()


async def test_a_pass_queued_again_leaves_out_what_the_documents_passes_explained(
    embedded_engine: SentimentEngine,
) -> None:
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([f"{TEXT} Twice {i}." for i in range(3)])
    reports, arrived, report = _reports()
    assert (
        service.explain_in_background("doc", analyses[:2], None, 20, False, lambda: True, report)
        == 2
    )
    await asyncio.wait_for(arrived.wait(), 60)
    arrived.clear()
    # Each publish queues the whole document again: only the new sentence is left.
    assert (
        service.explain_in_background("doc", analyses, None, 20, False, lambda: True, report) == 1
    )
    await asyncio.wait_for(arrived.wait(), 60)
    assert [(r.queued, r.computed) for r in reports] == [(2, 2), (1, 1)]
    assert service.explain_in_background("doc", analyses, None, 20, False, lambda: True) == 0
    # Another method is other work; a closed document's record is forgotten.
    assert (
        service.explain_in_background("doc", analyses, "grad-x-input", 20, False, lambda: True) == 3
    )
    service.background.drop("doc", forget=True)
    assert service.explain_in_background("doc", analyses, None, 20, False, lambda: True) == 3
    service.shutdown()


# Long enough that a Shapley explanation runs dozens of forward batches (one per length).
LONG = (
    "The release notes promised a faster importer, but on our archives it still crawls, "
    "the progress bar freezes for minutes at a time, the error messages say nothing useful, "
    "and every workaround suggested in the tracker has quietly stopped working since then."
)


async def _explaining(service: AnalysisService, key: str) -> None:
    """Until the background has taken the document's one sentence off its list: it is
    being explained."""
    while service.background.pending(key) or service.worker._queue.qsize():
        await asyncio.sleep(0.001)


async def test_an_explanation_in_progress_yields_to_more_urgent_work(
    embedded_engine: SentimentEngine,
) -> None:
    """Regression: an edit's analysis waited for a whole Shapley explanation (hundreds of ms
    on a long sentence) before it could start."""
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([LONG])
    reports, arrived, report = _reports()
    service.explain_in_background("doc", analyses, "shapley", 20, False, lambda: True, report)
    await _explaining(service, "doc")
    # A document's analysis comes while the sentence is being explained: it runs first ...
    explained_when_it_ran = await service.worker.run(
        Priority.DOCUMENT, lambda: len(engine._explanations)
    )
    assert explained_when_it_ran == 0
    # ... and the explanation is made afterwards, from the start.
    await asyncio.wait_for(arrived.wait(), 120)
    (result,) = reports
    assert result.stopped is None and result.computed == 1 and result.yielded >= 1
    assert service.cached_explanation(analyses[0], "shapley", 20, token_view=False) is not None
    service.shutdown()


async def test_an_explanation_in_progress_stops_for_an_edit_and_waits_for_its_release(
    embedded_engine: SentimentEngine,
) -> None:
    service, engine = _service(embedded_engine)
    analyses = engine.analyze([LONG])
    reports, arrived, report = _reports()
    background = service.background
    service.explain_in_background("doc", analyses, "shapley", 20, False, lambda: True, report)
    await _explaining(service, "doc")
    background.hold("edited")  # another document's edit awaits its analysis
    # The worker comes free without the explanation; its sentence is back on the list.
    await service.worker.run(Priority.BACKGROUND, lambda: None)
    assert background.pending("doc") == 1 and len(engine._explanations) == 0 and not reports
    background.release("edited")
    await asyncio.wait_for(arrived.wait(), 120)
    (result,) = reports
    assert result.computed == 1 and result.yielded == 1
    service.shutdown()

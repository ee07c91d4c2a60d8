"""Explaining ahead: once a document settles, the word scores of its sentences are computed
in the background, so that a hover finds them ready in any editor.

A hover that finds its sentence's word scores ready answers in a few milliseconds; one that
computes them waits for a forward pass per word. So after each analysis of an open document
(its diagnostics published or pulled, which comes a debounce after its last edit) every
sentence is explained at idle priority (analysis/background.py): flagged sentences first,
then the rest, each group outward from the last position a request named (a hover, a code
action, an inlay-hint range, the visible ranges a VS Code client reports; the top of the
document until one does). An edit drops what is left of the old version and holds all
background work until the new version is analysed. The explanation cache's byte bound
(analysis/engine.py) is the memory budget: a pass stops when only its own work is left to
evict.

The client sees what happens here through `$/logTrace` (trace `messages` or `verbose`):
each pass's end, each drop, and whether a hover's word scores were ready.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from sentiment_ls.document import LineIndex, Sentence

if TYPE_CHECKING:
    from sentiment_ls.analysis.background import BackgroundReport
    from sentiment_ls.lsp.context import Context
    from sentiment_ls.lsp.document_analysis import DocumentAnalysis

# Occlusion runs one variant per word, each as long as the sentence: ~40 ms at 25 tokens,
# ~130 ms at 50, and a 500-word sentence took 30 s, holding the interactive worker. Past
# this length the hover shows the verdict without word scores (and none are made ahead).
HOVER_MAX_EXPLAINED_TOKENS = 96
# An edit holds background work until its version is analysed; this long at most, in case
# that analysis never comes (a client that pulls diagnostics and stops asking, a document
# no longer read).
HOLD_LIMIT_S = 10.0


def sentence_at(sentences: Sequence[Sentence], offset: int) -> int | None:
    """The index of the sentence containing `offset`, or of the one after it."""
    if not sentences:
        return None
    index = bisect.bisect_right([s.start for s in sentences], offset) - 1
    return min(max(index, 0), len(sentences) - 1)


def explain_order(count: int, flagged: Iterable[int], anchor: int | None) -> list[int]:
    """Every sentence index once, most likely to be hovered first: the flagged ones, then
    the others, each outward from `anchor` (the top when None), the earlier of two at the
    same distance first."""
    centre = anchor or 0

    def distance(index: int) -> tuple[int, int]:
        return abs(index - centre), index

    flagged_set = set(flagged)
    rest = (i for i in range(count) if i not in flagged_set)
    return sorted(flagged_set, key=distance) + sorted(rest, key=distance)


class _Document:
    """What is known of one open document for explaining ahead."""

    def __init__(self, analysis: DocumentAnalysis, is_current: Callable[[], bool]) -> None:
        self.analysis = analysis
        self.is_current = is_current
        self._lines: LineIndex | None = None

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.analysis.document.source)
        return self._lines


class ExplainAhead:
    """Per open document: its last analysis, the last position a request named, and
    whether an edit of it awaits analysis."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._documents: dict[str, _Document] = {}
        self._anchor: dict[str, int] = {}  # the sentence index last named
        self._holds: dict[str, asyncio.TimerHandle] = {}

    def analysed(
        self, analysis: DocumentAnalysis, is_current: Callable[[], bool] | None = None
    ) -> None:
        """A document's new analysis: what to explain from now on, while `is_current` (the
        analysis's own document's version, by default)."""
        uri = analysis.document.uri
        self._documents[uri] = _Document(analysis, is_current or analysis.document.is_current)
        self.release(uri)
        self.explain(uri)

    def edited(self, uri: str) -> None:
        """An edit: drop what is left of the old version, and explain nothing anywhere until
        the new version is analysed (the debounce then ends with the worker free)."""
        service = self.context.service
        dropped = service.background.drop(uri)
        known = self._documents.get(uri)
        if dropped and known is not None:
            version = known.analysis.document.version
            self.context.trace(
                f"explain ahead: {uri} version {version}: edited, {dropped:,} pending "
                "explanations dropped"
            )
        service.background.hold(uri)
        old = self._holds.pop(uri, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._holds[uri] = loop.call_later(HOLD_LIMIT_S, self.release, uri)

    def requested(self, uri: str, position: types.Position) -> None:
        """A request named this position of the document: explain outward from there."""
        known = self._documents.get(uri)
        if known is None:
            return
        offset = known.lines.offset(position.line, position.character, self.context.encoding)
        index = sentence_at(known.analysis.result.sentences, offset)
        if index is None or self._anchor.get(uri) == index:
            return
        self._anchor[uri] = index
        if self.context.service.background.pending(uri):  # else nothing is left to reorder
            self.explain(uri)

    def explain(self, uri: str) -> None:
        """Queue the document's sentences for explaining, in the order above; what was left
        of its earlier order is replaced."""
        known = self._documents.get(uri)
        if known is None or not known.is_current():
            return
        analysis = known.analysis
        settings = analysis.document.settings  # what the hover of this document will ask
        if settings.hoverWords <= 0:
            return
        analyses = analysis.result.analyses
        order = [
            analyses[i]
            for i in explain_order(len(analyses), analysis.flagged, self._anchor.get(uri))
            if len(analyses[i].encoding.tokens) <= HOVER_MAX_EXPLAINED_TOKENS
        ]
        loop = asyncio.get_running_loop()
        version = analysis.document.version

        def report(result: BackgroundReport) -> None:  # on the worker's thread
            loop.call_soon_threadsafe(self._reported, uri, version, result)

        self.context.service.explain_in_background(
            uri,
            order,
            method=settings.explainMethod,
            steps=settings.integratedGradientsSteps,
            token_view=False,  # as the hover asks
            is_current=known.is_current,
            report=report,
        )

    def forget(self, uri: str) -> None:
        self.context.service.background.drop(uri, forget=True)
        self.release(uri)
        self._documents.pop(uri, None)
        self._anchor.pop(uri, None)

    def release(self, uri: str) -> None:
        """The edit of `uri` is analysed, or will not be: background work may go on."""
        handle = self._holds.pop(uri, None)
        if handle is not None:
            handle.cancel()
        self.context.service.background.release(uri)

    def _reported(self, uri: str, version: int | None, result: BackgroundReport) -> None:
        ending = (
            "all explained"
            if result.stopped is None
            else f"stopped ({result.stopped}), {result.left:,} left"
        )
        self.context.trace(
            f"explain ahead: {uri} version {version}: {ending}; {result.computed:,} computed, "
            f"{result.ready:,} ready, of {result.queued:,} sentences, in {result.seconds:.1f} s"
            + (f"; {result.yielded:,} stopped for urgent work" if result.yielded else "")
        )

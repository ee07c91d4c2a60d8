"""Which sentences to explain before they are hovered, in which order.

A hover that finds its sentence's word scores ready answers in a few milliseconds; one that
computes them waits for a forward pass per word. So the server explains ahead of time what
the user is likely to hover, most likely first: flagged sentences where the user is (the
visible ranges, around the cursor), the other flagged ones, then every other sentence where
the user is. Not the rest of the document: explaining up to 1,200 sentences of each
document ahead took the serving benchmark's peak RSS from 255 to 394 MB.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sentiment_ls.document import Sentence

if TYPE_CHECKING:
    from sentiment_ls.lsp.context import Context
    from sentiment_ls.lsp.document_analysis import DocumentAnalysis

NEAR_CURSOR = 12  # sentences either side of the cursor's
AHEAD_LIMIT = 600  # explanations queued per document; ~5 KB each in the cache
# Occlusion runs one variant per word, each as long as the sentence: ~40 ms at 25 tokens,
# ~130 ms at 50, and a 500-word sentence took 30 s, holding the interactive worker. Past
# this length the hover shows the verdict without word scores (and none are made ahead).
HOVER_MAX_EXPLAINED_TOKENS = 96


def sentence_at(sentences: Sequence[Sentence], offset: int) -> int | None:
    """The index of the sentence containing `offset`, or of the one after it."""
    if not sentences:
        return None
    index = bisect.bisect_right([s.start for s in sentences], offset) - 1
    return min(max(index, 0), len(sentences) - 1)


def explain_order(
    count: int,
    flagged: Iterable[int],
    visible: Iterable[int],
    cursor: int | None,
    limit: int = AHEAD_LIMIT,
) -> list[int]:
    """Sentence indexes, most likely to be hovered first; each once, at most `limit`."""
    near = set(visible)
    if cursor is not None:
        near.update(range(max(0, cursor - NEAR_CURSOR), min(count, cursor + NEAR_CURSOR + 1)))
    flagged_set = set(flagged)
    anchor = cursor if cursor is not None else (min(near) if near else 0)

    def distance(index: int) -> tuple[int, int]:
        return abs(index - anchor), index

    order = sorted(flagged_set & near, key=distance)
    order += sorted(flagged_set - near, key=distance)
    order += sorted(near - flagged_set, key=distance)
    return order[:limit]


class ExplainAhead:
    """Per open document: its last analysis (what to explain ahead of its hovers) and the
    offset of the last hover (where the user is)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._latest: dict[str, tuple[DocumentAnalysis, Callable[[], bool]]] = {}
        self._cursor: dict[str, int] = {}

    def analysed(
        self, analysis: DocumentAnalysis, is_current: Callable[[], bool] | None = None
    ) -> None:
        """A document's new analysis: what to explain ahead of its hovers from now on, while
        `is_current` (the analysis's own document's version, by default)."""
        uri = analysis.document.uri
        self._latest[uri] = (analysis, is_current or analysis.document.is_current)
        self.explain(uri)

    def explain(self, uri: str) -> None:
        """Compute the hover's word attributions now, at the lowest priority, of what the
        user is likely to hover, most likely first: flagged sentences and those where the
        user is. Called again when the cursor (a hover) or the visible ranges move, which
        reorders what is left."""
        known = self._latest.get(uri)
        if known is None:
            return
        analysis, is_current = known
        settings = analysis.document.settings  # what the hover of this document will ask
        if settings.hoverWords <= 0 or not is_current():
            return
        sentences, analyses = analysis.result.sentences, analysis.result.analyses
        cursor = self._cursor.get(uri)
        order = explain_order(
            len(analyses),
            analysis.flagged,
            self.context.visible.first_pass(uri, sentences),
            sentence_at(sentences, cursor) if cursor is not None else None,
        )
        self.context.service.explain_in_background(
            uri,
            [
                analyses[i]
                for i in order
                if len(analyses[i].encoding.tokens) <= HOVER_MAX_EXPLAINED_TOKENS
            ],
            method=settings.explainMethod,
            steps=settings.integratedGradientsSteps,
            token_view=False,  # as the hover asks
            is_current=is_current,
        )

    def move_cursor(self, uri: str, sentences: Sequence[Sentence], offset: int) -> None:
        """A hover says where the user is: explain around there next."""
        before = self._cursor.get(uri)
        self._cursor[uri] = offset
        if before is None or sentence_at(sentences, before) != sentence_at(sentences, offset):
            self.explain(uri)

    def forget(self, uri: str) -> None:
        self._latest.pop(uri, None)
        self._cursor.pop(uri, None)

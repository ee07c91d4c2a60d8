"""textDocument/hover: the verdict on the sentence under the cursor, why, and the words that
weighed most, in the markup the client prefers."""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING

from lsprotocol import types

from sentiment_ls.analysis.analysis_service import ModelNotReady, ModelStatus
from sentiment_ls.analysis.runtimes import ExtraMissing
from sentiment_ls.document import LineIndex
from sentiment_ls.lsp.ahead import HOVER_MAX_EXPLAINED_TOKENS, ExplainAhead
from sentiment_ls.lsp.context import Context
from sentiment_ls.present.diagnostics import lsp_range
from sentiment_ls.present.hover import HoverInputs, hover_text, status_text
from sentiment_ls.present.markup import MarkupKind, choose_markup
from sentiment_ls.present.verdict import policy_name, verdict
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import SECTION

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation
    from sentiment_ls.settings import Settings


class Hovers:
    def __init__(self, context: Context, ahead: ExplainAhead) -> None:
        self.context = context
        self.ahead = ahead
        self._told_missing: set[str] = set()  # features that need an extra

    @property
    def markup(self) -> MarkupKind:
        """Markdown or plain text, as the client's `hover.contentFormat` prefers."""
        formats = self.context.capability("text_document", "hover", "content_format")
        # MarkupKind is a str enum: its value, not str(), which names the member.
        return choose_markup([getattr(kind, "value", kind) for kind in formats or ()])

    async def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        context = self.context
        document = context.open_document(uri)
        if document is None or not document.wanted:
            return None
        encoding = context.encoding
        index = LineIndex(document.source)
        offset = index.offset(position.line, position.character, encoding)
        end = document.end
        if end < len(document.source) and offset >= end:
            message = (
                f"not analysed: this is past the first {end:,} characters, which is all "
                f"sentiment-ls reads of a document this large (`{SECTION}.maxDocumentChars`)"
            )
            here = lsp_range(index, offset, offset, encoding)
            return self._hover(status_text(message, self.markup), here)
        sentences = await context.sentences(document)
        number = next((i for i, s in enumerate(sentences) if s.start <= offset < s.end), None)
        if number is None:
            return None
        sentence = sentences[number]
        self.ahead.requested(uri, position)
        hover_range = lsp_range(index, sentence.start, sentence.end, encoding)
        service = context.service
        if service.status is not ModelStatus.READY:
            return self._hover(status_text(service.describe_status(), self.markup), hover_range)
        settings = document.settings
        try:
            analysis = await service.analyze_sentence(sentence.text)
            tokens = len(analysis.encoding.tokens)
            too_long = tokens > HOVER_MAX_EXPLAINED_TOKENS
            explanation = (
                await self._explanation(analysis, settings, uri, number)
                if settings.hoverWords > 0 and not too_long
                else None
            )
        except ModelNotReady as not_ready:
            return self._hover(status_text(str(not_ready), self.markup), hover_range)
        loaded = service.loaded
        assert loaded is not None
        rule, _ = rule_for(settings, loaded.labels)  # problems: shown by lsp/loading.py
        inputs = HoverInputs(
            sentence=sentence,
            analysis=analysis,
            explanation=explanation,
            verdict=verdict(rule, analysis),
            policy=policy_name(settings),
            model_id=loaded.model_id,
            words=settings.hoverWords,
            words_left_out=tokens if too_long else None,
        )
        return self._hover(hover_text(inputs, self.markup), hover_range)

    async def _explanation(
        self, analysis: SentenceAnalysis, settings: Settings, uri: str, index: int
    ) -> Explanation:
        """The word scores: explained ahead (lsp/ahead.py) or asked for before, straight
        from the cache; else computed now, on the interactive worker."""
        method, steps = settings.explainMethod, settings.integratedGradientsSteps
        service = self.context.service
        ready = service.cached_explanation(analysis, method, steps, token_view=False)
        where = f"hover: {uri} sentence {index + 1}: word scores"
        if ready is not None:
            self.context.trace(f"{where} ready (explained ahead or asked before)")
            return ready
        started = time.perf_counter()
        explanation = await self._compute(analysis, settings)
        self.context.trace(f"{where} computed now, {1000 * (time.perf_counter() - started):.0f} ms")
        return explanation

    async def _compute(self, analysis: SentenceAnalysis, settings: Settings) -> Explanation:
        explain = functools.partial(
            self.context.service.explain,
            analysis,
            steps=settings.integratedGradientsSteps,
            token_view=False,  # the hover shows words; the command has the tokens
        )
        try:
            return await explain(method=settings.explainMethod)
        except ExtraMissing as missing:
            # A method that needs torch where it is not installed: say so once, and hover
            # with the default method rather than with nothing.
            from sentiment_ls.analysis.explain import DEFAULT_METHOD

            if str(missing) not in self._told_missing:
                self._told_missing.add(str(missing))
                self.context.show(f"sentiment-ls: {missing}; hovers use {DEFAULT_METHOD} meanwhile")
            return await explain(method=DEFAULT_METHOD)

    def _hover(self, value: str, hover_range: types.Range) -> types.Hover:
        kind = types.MarkupKind(self.markup)
        return types.Hover(contents=types.MarkupContent(kind=kind, value=value), range=hover_range)

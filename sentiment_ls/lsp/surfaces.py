"""The optional editor surfaces (inlay hints, code lenses, semantic tokens): what the session
gathers for them, and the refresh requests that make a client ask again when a setting turns
one on or off. Each is advertised from the start and answers nothing while its setting is
off, so turning it on needs no restart."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types

from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import LineIndex
from sentiment_ls.document.headings import markdown_headings
from sentiment_ls.lsp.analyze import COMMAND as ANALYZE_COMMAND
from sentiment_ls.lsp.analyze import overlapping
from sentiment_ls.present import surfaces

if TYPE_CHECKING:
    from sentiment_ls.lsp.document_analysis import DocumentAnalysis
    from sentiment_ls.lsp.session import Session
    from sentiment_ls.settings import Settings

LEGEND = surfaces.LEGEND


async def _analysis(
    session: Session, uri: str, span: tuple[int, int] | None = None
) -> DocumentAnalysis | None:
    """The analysis of the document's sentences (those `span` touches), or None when there
    is none to give: not open, not read, no model, or edited meanwhile."""
    document = session.open_document(uri)
    if document is None or not document.wanted:
        return None
    pick = None if span is None else lambda sentences: overlapping(sentences, *span)
    return await session.analyse(document, Priority.VISIBLE, pick)


async def inlay_hints(session: Session, uri: str, visible: types.Range) -> list[types.InlayHint]:
    if not session.settings.inlayHints:
        return []
    document = session.document(uri)
    if document is None:
        return []
    index = LineIndex(document.source)
    encoding = session.encoding
    span = (
        index.offset(visible.start.line, visible.start.character, encoding),
        index.offset(visible.end.line, visible.end.character, encoding),
    )
    analysis = await _analysis(session, uri, span)
    if analysis is None:
        return []
    result = analysis.result
    return surfaces.inlay_hints(
        result.sentences, result.analyses, LineIndex(analysis.document.source), encoding
    )


async def code_lenses(session: Session, uri: str) -> list[types.CodeLens]:
    document = session.document(uri)
    if not session.settings.codeLens or document is None or document.language_id != "markdown":
        return []
    analysis = await _analysis(session, uri)
    engine = session.service.engine
    if analysis is None or engine is None:
        return []
    source, result = analysis.document.source, analysis.result
    headings = await asyncio.to_thread(markdown_headings, source)
    return surfaces.section_lenses(
        uri,
        headings,
        result.sentences,
        result.analyses,
        engine.loaded.labels,
        ANALYZE_COMMAND,
        LineIndex(source),
        session.encoding,
    )


async def semantic_tokens(session: Session, uri: str) -> types.SemanticTokens:
    if not session.settings.semanticTokens:
        return types.SemanticTokens(data=[])
    analysis = await _analysis(session, uri)
    engine = session.service.engine
    if analysis is None or engine is None:
        return types.SemanticTokens(data=[])
    settings = session.settings
    flagged = []
    # One sentence at a time at hover priority, as the analyze command does: a hover asked for
    # meanwhile waits for one sentence at most.
    for finding in analysis.findings:
        explanation = await session.service.explain(
            finding.analysis,
            method=settings.explainMethod,
            steps=settings.integratedGradientsSteps,
            token_view=False,
        )
        flagged.append((finding.sentence, explanation))
    data = surfaces.semantic_tokens(
        flagged, engine.loaded.labels, LineIndex(analysis.document.source), session.encoding
    )
    return types.SemanticTokens(data=data)


def refresh(session: Session, old: Settings, new: Settings) -> None:
    """Ask the client to request again the surfaces whose setting changed, where it can."""
    server = session.server
    capabilities = server.client_capabilities.workspace
    if capabilities is None:
        return
    if old.inlayHints != new.inlayHints and _refreshes(capabilities.inlay_hint):
        server.workspace_inlay_hint_refresh(None)
    if old.codeLens != new.codeLens and _refreshes(capabilities.code_lens):
        server.workspace_code_lens_refresh(None)
    if old.semanticTokens != new.semanticTokens and _refreshes(capabilities.semantic_tokens):
        server.workspace_semantic_tokens_refresh(None)


def _refreshes(capability: object) -> bool:
    return bool(getattr(capability, "refresh_support", False))

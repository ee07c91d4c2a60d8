"""Pushed diagnostics: each open document analysed after an edit (debounced) and its
diagnostics published, what the user sees first on a long document before the rest. A
client that pulls diagnostics (lsp/pull.py) gets no pushes, only a request to pull again."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.lsp.ahead import ExplainAhead
from sentiment_ls.lsp.context import Context, started
from sentiment_ls.lsp.document_analysis import DocumentAnalysis, DocumentSnapshot
from sentiment_ls.lsp.visible import MIN_REST

LOG = logging.getLogger(__name__)
# The share of the debounce after which an edited document is analysed, ahead of its publish.
AHEAD_SHARE = 0.5
# An analysis and its diagnostics, made before the debounce ends.
Prepared = tuple[DocumentAnalysis, list[types.Diagnostic]]


class Publisher:
    def __init__(self, context: Context, ahead: ExplainAhead) -> None:
        self.context = context
        self.ahead = ahead
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def pull_diagnostics(self) -> bool:
        """The client pulls diagnostics (textDocument/diagnostic): never push to it."""
        return self.context.capability("text_document", "diagnostic") is not None

    def refresh_diagnostics(self) -> None:
        """Ask a pulling client to pull again (results changed without an edit)."""
        context = self.context
        refreshes = context.capability("workspace", "diagnostics", "refresh_support")
        if context.client_initialized and refreshes:
            context.server.workspace_diagnostic_refresh(None)

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        if self.pull_diagnostics:
            return  # the client asks for each document's diagnostics when it wants them
        self.cancel(uri)
        self._tasks[uri] = asyncio.ensure_future(self._analyze_and_publish(uri, delay))

    def analyze_all(self) -> None:
        self.refresh_diagnostics()
        # Each document's own `uri` is the client's spelling; the workspace's keys are not.
        for document in list(self.context.server.workspace.text_documents.values()):
            self.schedule(document.uri)

    def cancel(self, uri: str) -> None:
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        if self.pull_diagnostics:
            return
        self.context.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    async def _analyze_and_publish(self, uri: str, delay: float) -> None:
        ready: asyncio.Task[Prepared | None] | None = None
        try:
            if delay:
                # Part way through the debounce the edited text is split and analysed and its
                # diagnostics made, on a thread and the model's worker: on a 2,000-sentence
                # document that is 60-100 ms, which the rest of the debounce hides, and at its
                # end only the publish is left. A keystroke before then costs nothing; one
                # after costs that work. When diagnostics show is still the debounce's to say.
                await asyncio.sleep(delay * AHEAD_SHARE)
                ready = self._prepare(uri)
                await asyncio.sleep(delay * (1 - AHEAD_SHARE))
            await self.context.service.wait_until_settled()
            await self._analyze(uri, ready)
        except asyncio.CancelledError:
            if ready is not None:
                ready.cancel()
            raise  # a newer version's run follows, and releases the edit's hold
        except Exception as error:  # one bad document must never stop the server
            LOG.exception("analysis of %s failed", uri)
            self.context.log(
                f"sentiment-ls: analysis of {uri} failed: {error!r}", types.MessageType.Error
            )
        self.ahead.release(uri)  # published or not, background work may go on

    def _prepare(self, uri: str) -> asyncio.Task[Prepared | None] | None:
        """Start the analysis of the document as it is now, and its diagnostics."""
        document = self.context.open_document(uri)
        if document is None or not document.wanted:
            return None
        return started(self._prepared(document))

    async def _prepared(self, document: DocumentSnapshot) -> Prepared | None:
        analysis = await self.context.analyse(document, Priority.DOCUMENT)
        if analysis is None:
            return None
        return analysis, analysis.diagnostics(self.context.encoding)

    async def _analyze(self, uri: str, ready: asyncio.Task[Prepared | None] | None) -> None:
        context = self.context
        document = context.open_document(uri)
        if document is None:
            return
        if not document.wanted:
            self.publish(uri, [], document.version)
            return
        done_ahead = ready is not None and ready.done()
        if not done_ahead:
            first = await self._first_pass(document)
            if first is not None:
                # A long analysis ahead: publish what the user sees first, then everything.
                shown = await context.analyse(
                    document, Priority.VISIBLE, lambda sentences: [sentences[i] for i in first]
                )
                if shown is None:
                    return
                self._publish(shown)
        # Prepared during the debounce for this very version (a newer one cancels this run).
        prepared = await (ready if ready is not None else self._prepared(document))
        if prepared is None:
            return  # a newer version is on its way; its own run publishes
        analysis, diagnostics = prepared
        self.publish(uri, diagnostics, analysis.document.version)
        if done_ahead:
            version = analysis.document.version
            context.trace(f"publish: {uri} version {version}: analysed during the debounce")
        self.ahead.analysed(analysis)

    async def _first_pass(self, document: DocumentSnapshot) -> list[int] | None:
        """The sentences to analyse and publish first (those the user sees), when enough
        are left to analyse after them to be worth a publish of their own; else None."""
        context = self.context
        engine = context.service.engine
        if engine is None:
            return None
        sentences = await context.sentences(document)
        first = context.visible.first_pass(document.uri, sentences)
        pending = sum(1 for s in sentences if engine.cached(s.text) is None)
        return first if pending - len(first) >= MIN_REST else None

    def _publish(self, analysis: DocumentAnalysis) -> None:
        document = analysis.document
        self.publish(document.uri, analysis.diagnostics(self.context.encoding), document.version)

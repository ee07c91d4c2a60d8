"""What every LSP feature works with: the client (messages, capabilities, the position
encoding), the analysis service, the settings, the open documents and their sentences, and
the one way to analyse a document (`Context.analyse`) that pushed and pulled diagnostics
and the editor surfaces share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from lsprotocol import types

from sentiment_ls.analysis.analysis_service import AnalysisService, ModelNotReady, ModelStatus
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import PositionEncoding, Sentence
from sentiment_ls.lsp.collector import IdleCollector
from sentiment_ls.lsp.document_analysis import DocumentAnalysis, DocumentSnapshot
from sentiment_ls.lsp.documents import negotiated_encoding
from sentiment_ls.lsp.project import ProjectSettings
from sentiment_ls.lsp.visible import VisibleRanges
from sentiment_ls.settings import SECTION, Settings

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer
    from pygls.workspace import TextDocument

T = TypeVar("T")


def started(work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """`work` started now, for whoever awaits it later: they get its result or its failure.
    One that nobody awaits any more (a newer version came) fails unheard."""
    task = asyncio.ensure_future(work)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task


class Context:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.service = AnalysisService()
        self.settings = Settings()  # the editor's; a project file may override per document
        self.project = ProjectSettings(server)
        self.visible = VisibleRanges()
        self.collector = IdleCollector()
        self.client_initialized = False  # after `initialized`, the server may send requests
        # Per open document: (version, analysed length) -> its sentences.
        self._sentences: dict[
            str, tuple[tuple[int | None, int], asyncio.Future[list[Sentence]]]
        ] = {}
        self._told_too_large: set[str] = set()  # documents whose size limit was announced

    # -- the client -----------------------------------------------------------------------
    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))

    def trace(self, message: str) -> None:
        """`$/logTrace`, where the client asked for a trace (`initialize`'s `trace` or
        `$/setTrace`, `messages` or `verbose`): what the server does in the background."""
        if self.server.protocol.trace not in (None, types.TraceValue.Off):
            self.server.log_trace(types.LogTraceParams(message=message))

    @property
    def encoding(self) -> PositionEncoding:
        return negotiated_encoding(self.server.workspace.position_encoding)

    def capability(self, *path: str) -> Any:
        """The client capability at `path` (attribute names), or None where it has none."""
        node: Any = self.server.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return node

    # -- documents --------------------------------------------------------------------------
    def settings_for(self, uri: str) -> Settings:
        """The settings that govern one document: the editor's, then its project file's
        (see lsp/project.py for the order and why)."""
        return self.project.settings_for(uri, self.settings)

    def document(self, uri: str) -> TextDocument | None:
        """The open document at `uri` (as the client spells it), or None."""
        # pygls keys open documents by the unquoted URI: a plain lookup with the client's
        # `file:///my%20notes.md` would miss it and the document would never be analysed.
        document: TextDocument | None = self.server.workspace.text_documents.get(unquote(uri))
        return document

    def open_document(self, uri: str) -> DocumentSnapshot | None:
        """The open document at `uri` as it is now, with its settings; None if not open."""
        document = self.document(uri)
        if document is None:
            return None
        version = document.version

        def is_current() -> bool:
            now = self.document(uri)
            return now is not None and now.version == version

        return DocumentSnapshot(
            uri,
            version,
            document.source,
            document.language_id or "plaintext",
            self.settings_for(uri),
            # The editor's limit for every open document (its project file's applies to
            # the closed files a workspace pull reads).
            self.settings.maxDocumentChars,
            is_current,
        )

    async def sentences(self, document: DocumentSnapshot) -> list[Sentence]:
        """The sentences of the part of `document` that is read; an open document's are
        kept per version, for the next analysis, hover or code action."""
        if not document.opened:
            text = document.source[: document.end]
            return await self.service.sentences(text, document.language)
        # Shielded: a caller cancelled by a newer edit leaves the split to the others.
        return await asyncio.shield(self._split(document))

    def _split(self, document: DocumentSnapshot) -> asyncio.Future[list[Sentence]]:
        """The one split of this version of an open document, started or under way: the
        analysis made during the debounce and the hovers that come meanwhile share it."""
        key = (document.version, document.end)
        known = self._sentences.get(document.uri)
        if known is not None and known[0] == key:
            return known[1]
        self._announce_size_limit(document)
        text = document.source[: document.end]
        split = started(self.service.sentences(text, document.language))
        # Filed under the version the text was read with, not the document's version now:
        # an edit that arrives while the text is split must not get these sentences.
        self._sentences[document.uri] = (key, split)
        return split

    def forget(self, uri: str) -> None:
        """A closed document: drop what was kept of it."""
        self._sentences.pop(uri, None)
        self._told_too_large.discard(uri)
        self.visible.forget(uri)

    def _announce_size_limit(self, document: DocumentSnapshot) -> None:
        """Tell the user once per document that only its beginning is read."""
        uri, size, end = document.uri, len(document.source), document.end
        if end == size:
            self._told_too_large.discard(uri)  # it fits again; tell again if it grows
            return
        if uri in self._told_too_large:
            return
        self._told_too_large.add(uri)
        self.show(
            f"sentiment-ls: {uri} has {size:,} characters, more than "
            f"`{SECTION}.maxDocumentChars` ({document.max_chars:,}); only its first {end:,} "
            "characters are analysed. Raise the setting to read all of it (analysis takes "
            "longer).",
            types.MessageType.Info,
        )

    # -- analysis ---------------------------------------------------------------------------
    async def analyse(
        self,
        document: DocumentSnapshot,
        priority: Priority,
        pick: Callable[[list[Sentence]], list[Sentence]] | None = None,
    ) -> DocumentAnalysis | None:
        """Analyse `document` (the sentences `pick` chooses of it, or all) at `priority`, once
        the model has settled. None when there is nothing to give: no model (its failure was
        shown once; hovers explain it), or the document was edited meanwhile."""
        service = self.service
        await service.wait_until_settled()
        if service.status is not ModelStatus.READY:
            return None
        sentences = await self.sentences(document)
        if pick is not None:
            sentences = pick(sentences)
        try:
            result = await service.analyze_document(sentences, document.is_current, priority)
            if result is None or not document.is_current():
                return None  # a newer version is on its way
            # The model as it is now: one reloading meanwhile makes these results stale.
            analysis = DocumentAnalysis.of(document, result, service.require_engine())
        except ModelNotReady:
            return None
        if pick is None:
            self.collector.settled()  # what the server keeps now is long-lived
        return analysis

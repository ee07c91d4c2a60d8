"""The pygls server: one thin handler per LSP feature, each delegating to the session."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from sentiment_ls import __version__
from sentiment_ls.lsp import analyze, surfaces, visible
from sentiment_ls.lsp.code_actions import BREAKDOWN_COMMAND, code_actions, run_breakdown
from sentiment_ls.lsp.documents import LspWorkspace
from sentiment_ls.lsp.pull import document_report, workspace_report
from sentiment_ls.lsp.session import Session


class SentimentLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "sentiment-ls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.session = Session(self)


def build_server() -> SentimentLanguageServer:
    server = SentimentLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: SentimentLanguageServer, params: types.InitializeParams) -> None:
        # pygls has just built its workspace (no document is open yet): swap in one that
        # applies edits by LSP's line rules (see documents.py).
        ls.protocol._workspace = LspWorkspace.like(ls.workspace)
        ls.protocol.trace = params.trace or types.TraceValue.Off  # pygls reads $/setTrace only
        ls.session.initialize(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SentimentLanguageServer, _: types.InitializedParams) -> None:
        await ls.session.initialized()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SentimentLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.session.publisher.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SentimentLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        delay = ls.session.settings.debounceMs / 1000
        ls.session.ahead.edited(params.text_document.uri)
        ls.session.publisher.schedule(params.text_document.uri, delay)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SentimentLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SentimentLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.close(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: SentimentLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        ls.session.files_changed([change.uri for change in params.changes])

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: SentimentLanguageServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.session.hovers.hover(params.text_document.uri, params.position)

    @server.command(analyze.COMMAND)
    async def analyze_command(ls: SentimentLanguageServer, *arguments: Any) -> dict[str, Any]:
        return await analyze.run_analyze(ls.session, arguments)

    @server.command(BREAKDOWN_COMMAND)
    async def breakdown_command(ls: SentimentLanguageServer, *arguments: Any) -> dict[str, Any]:
        return await run_breakdown(ls.session, arguments)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(
        ls: SentimentLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        uri = params.text_document.uri
        ls.session.ahead.requested(uri, params.range.start)  # clients ask at the cursor
        return await code_actions(ls.session, uri, params.context.diagnostics)

    # Advertised to every client; only those that pull ask, and only those get no pushes.
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="sentiment-ls", inter_file_dependencies=False, workspace_diagnostics=True
        ),
    )
    async def diagnostic(
        ls: SentimentLanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        return await document_report(
            ls.session, params.text_document.uri, params.previous_result_id
        )

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: SentimentLanguageServer, params: types.WorkspaceDiagnosticParams
    ) -> types.WorkspaceDiagnosticReport:
        return await workspace_report(ls.session, params)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions())
    async def inlay_hint(
        ls: SentimentLanguageServer, params: types.InlayHintParams
    ) -> list[types.InlayHint]:
        uri, shown = params.text_document.uri, params.range
        # The range is what the editor shows: its middle is where the user reads.
        ls.session.ahead.requested(uri, types.Position((shown.start.line + shown.end.line) // 2, 0))
        return await surfaces.inlay_hints(ls.session, uri, shown)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions())
    async def code_lens(
        ls: SentimentLanguageServer, params: types.CodeLensParams
    ) -> list[types.CodeLens]:
        return await surfaces.code_lenses(ls.session, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, surfaces.LEGEND)
    async def semantic_tokens(
        ls: SentimentLanguageServer, params: types.SemanticTokensParams
    ) -> types.SemanticTokens:
        return await surfaces.semantic_tokens(ls.session, params.text_document.uri)

    @server.feature(visible.METHOD)
    def visible_ranges(ls: SentimentLanguageServer, params: Any) -> None:
        ls.session.set_visible_ranges(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: SentimentLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        before = ls.session.settings
        await ls.session.configuration_changed(params.settings)
        surfaces.refresh(ls.session, before, ls.session.settings)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: SentimentLanguageServer, _: None) -> None:
        ls.session.shutdown()

    return server

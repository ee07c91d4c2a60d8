"""What the server does between handlers: settings, the model's life cycle, debounced
analysis of open documents, publishing, and hover lookups."""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from lsprotocol import types

from sentiment_ls.analysis.analysis_service import (
    AnalysisService,
    DocumentResult,
    ModelNotReady,
    ModelStatus,
)
from sentiment_ls.analysis.runtimes import ExtraMissing
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import SUPPORTED_LANGUAGES, LineIndex, Sentence
from sentiment_ls.document.limits import analysed_end
from sentiment_ls.lsp.ahead import explain_order, sentence_at
from sentiment_ls.lsp.configuration import SettingsLayers, model_request, needs_reload, section_of
from sentiment_ls.lsp.project import ProjectSettings, flag_rule
from sentiment_ls.lsp.visible import MIN_REST, VisibleRanges
from sentiment_ls.present.diagnostics import lsp_range, to_diagnostics
from sentiment_ls.present.findings import FlagRule, findings, tone_labels
from sentiment_ls.present.hover import HoverInputs, hover_text, status_text
from sentiment_ls.present.markup import MarkupKind, choose_markup
from sentiment_ls.present.verdict import policy_name, verdict
from sentiment_ls.project_config import is_config_file
from sentiment_ls.settings import SECTION, Settings

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer
    from pygls.workspace import TextDocument

    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation

LOG = logging.getLogger(__name__)
# Occlusion runs one variant per word, each as long as the sentence: ~40 ms at 25 tokens,
# ~130 ms at 50, and a 500-word sentence took 30 s, holding the interactive worker. Past
# this length the hover shows the verdict without word scores.
HOVER_MAX_EXPLAINED_TOKENS = 96
Encoding = Literal["utf-8", "utf-16", "utf-32"]


class Session:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.service = AnalysisService()
        self.layers = SettingsLayers()
        self.settings = Settings()
        self.flag_labels: frozenset[str] = frozenset()  # by the editor's settings alone
        self.project = ProjectSettings(server)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Per document: (version, analysed length) -> its sentences.
        self._sentences: dict[str, tuple[tuple[int | None, int], list[Sentence]]] = {}
        self._told_too_large: set[str] = set()  # documents whose size limit was announced
        self._told_missing: set[str] = set()  # features that need an extra
        self.visible = VisibleRanges()
        # Per document: its last published analysis (what to explain ahead of hovers) and
        # the offset of the last hover (where the user is).
        self._ahead: dict[str, tuple[DocumentResult, Callable[[], bool]]] = {}
        self._cursor: dict[str, int] = {}
        self._load_task: asyncio.Task[None] | None = None
        self._initialized = False
        self._progress_task: asyncio.Task[None] | None = None

    # -- messages -----------------------------------------------------------------------
    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.server.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.server.window_log_message(types.LogMessageParams(type=kind, message=message))

    @property
    def encoding(self) -> Encoding:
        value = str(self.server.workspace.position_encoding or "utf-16")
        return value if value in ("utf-8", "utf-32") else "utf-16"  # type: ignore[return-value]

    def _capability(self, *path: str) -> Any:
        node: Any = self.server.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return node

    # -- settings -----------------------------------------------------------------------
    def initialize(self, options: Any) -> None:
        self.layers.initialization = options if isinstance(options, dict) else None
        if options is not None and not isinstance(options, dict):
            self.show(f"sentiment-ls: initializationOptions must be an object, got {options!r}")
        self._apply_settings(reload=False)
        # Start loading now: the initialize/initialized round trip and the configuration pull
        # then overlap the multi-second load instead of preceding it.
        self.start_model_load()

    async def initialized(self) -> None:
        """The model started loading at `initialize`; pulled configuration may change it."""
        self._initialized = True
        # Not awaited: the client answers the registration while we go on.
        self._watch_task = asyncio.ensure_future(self.project.watch())
        if await self.pull_configuration():
            self._apply_settings(reload=True)  # a changed model restarts the load
        if self.service.status is ModelStatus.LOADING and self._progress_task is None:
            self._progress_task = asyncio.ensure_future(self._report_loading())

    async def pull_configuration(self) -> bool:
        """Pull the `sentimentLs` section where the client supports it; True if it came."""
        if not self._capability("workspace", "configuration"):
            return False
        try:
            items = [types.ConfigurationItem(section=SECTION)]
            result = await self.server.workspace_configuration_async(
                types.ConfigurationParams(items=items)
            )
        except Exception as error:  # a client that fails this request must not stop us
            self.log(f"workspace/configuration failed: {error}", types.MessageType.Warning)
            return False
        if result and isinstance(result[0], dict):
            self.layers.section = result[0]
            return True
        return False

    async def configuration_changed(self, pushed: Any) -> None:
        section = section_of(pushed)
        if section is not None:
            self.layers.section = section
        else:
            await self.pull_configuration()
        self._apply_settings(reload=True)

    def _apply_settings(self, reload: bool) -> None:
        old = self.settings
        result = self.layers.effective()
        self.settings = result.settings
        unsupported = sorted(set(self.settings.languages) - SUPPORTED_LANGUAGES)
        problems = list(result.problems)
        if unsupported:
            problems.append(
                f"`{SECTION}.languages` has languages sentiment-ls cannot read yet: {unsupported}"
            )
        if self.settings.service.mode != "off" and not self.settings.service.url:
            problems.append(
                f"`{SECTION}.service.mode` is `{self.settings.service.mode}` but "
                f"`{SECTION}.service.url` is not set: the model runs here"
            )
        for problem in problems:
            self.show(f"sentiment-ls: {problem}")
        if not reload:
            return
        if needs_reload(old, self.settings):
            self.start_model_load()
        else:
            self._resolve_labels()
            self.analyze_all()

    def _resolve_labels(self) -> None:
        loaded = self.service.loaded
        if loaded is None:
            return
        settings = self.settings
        self.flag_labels, problems = tone_labels(settings.tone, settings.flagLabels, loaded.labels)
        for problem in problems:
            self.show(f"sentiment-ls: {problem}")

    # -- the model ----------------------------------------------------------------------
    def start_model_load(self) -> None:
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()  # only the awaiting wrapper; the worker finishes its job
        self._load_task = asyncio.ensure_future(self._load_model())
        if self._initialized:
            self._progress_task = asyncio.ensure_future(self._report_loading())

    async def _report_loading(self) -> None:
        """$/progress from now until the model settles, where the client supports it (and
        only after `initialized`: before, the protocol allows no server requests)."""
        if not self._capability("window", "work_done_progress"):
            return
        progress = self.server.work_done_progress
        token = f"sentiment-ls/load/{uuid.uuid4()}"
        try:
            await progress.create_async(token)
        except Exception as error:  # a client that refuses a token gets no progress
            self.log(f"progress unavailable: {error}")
            return
        name = self.service.request.model if self.service.request else self.settings.model
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="sentiment-ls", message=f"loading model {name}", cancellable=False
            ),
        )
        await self.service.wait_until_settled()
        progress.end(token, types.WorkDoneProgressEnd(message=self.service.describe_status()))

    async def _load_model(self) -> None:
        settings = self.settings
        request = model_request(settings)
        await self.service.load(request)
        if self.service.request != request:
            return  # superseded by a newer load
        message = self.service.describe_status()
        if self.service.status is ModelStatus.FAILED:
            self.show(f"sentiment-ls: {message}", types.MessageType.Error)
        else:
            loaded = self.service.loaded
            assert loaded is not None
            self.log(f"sentiment-ls: {message} on {loaded.where}; labels {loaded.labels}")
            self._hear_from_service(loaded.runtime)
            for warning in loaded.warnings:
                self.show(f"sentiment-ls: {warning}")
            self._resolve_labels()
        self.analyze_all()

    def _hear_from_service(self, runtime: object) -> None:
        """A remote runtime's news (an outage, a recovery) comes from the model worker's
        thread: shown (a warning) or logged, on the event loop."""
        from sentiment_ls.analysis.runtimes.remote import RemoteRuntime

        if not isinstance(runtime, RemoteRuntime):
            return
        loop = asyncio.get_running_loop()

        def tell(message: str, warning: bool) -> None:
            say = self.show if warning else self.log
            loop.call_soon_threadsafe(say, f"sentiment-ls: {message}")

        runtime.notify = tell

    # -- documents ----------------------------------------------------------------------
    def wants(self, document: TextDocument) -> bool:
        language = document.language_id or "plaintext"
        settings = self.settings_for(document.uri)
        wanted = language in settings.languages and language in SUPPORTED_LANGUAGES
        return wanted and settings.enabled

    def settings_for(self, uri: str) -> Settings:
        """The settings that govern one document: the editor's, then its project file's
        (see lsp/project.py for the order and why)."""
        return self.project.settings_for(uri, self.settings)

    def flag_rule(self, uri: str) -> FlagRule:
        loaded = self.service.loaded
        return flag_rule(self.settings_for(uri), loaded.labels if loaded else None)

    def diagnostics_for(
        self, uri: str, source: str, result: DocumentResult
    ) -> list[types.Diagnostic]:
        """The diagnostics of an analysed document, pushed or pulled alike."""
        found = findings(result.sentences, result.analyses, self.flag_rule(uri))
        engine = self.service.require_engine()
        severity = self.settings_for(uri).severity
        return to_diagnostics(found, LineIndex(source), self.encoding, severity, engine.model_id)

    def saved(self, uri: str) -> None:
        if is_config_file(uri):
            self.project_config_changed()  # a client that cannot watch files still saves
        self.schedule(uri)

    def files_changed(self, uris: list[str]) -> None:
        """workspace/didChangeWatchedFiles: we watch configuration files only, but a
        client may send other changes too."""
        if any(is_config_file(uri) for uri in uris):
            self.project_config_changed()

    def project_config_changed(self) -> None:
        self.project.forget()
        self.analyze_all()

    @property
    def pull_diagnostics(self) -> bool:
        """The client pulls diagnostics (textDocument/diagnostic): never push to it."""
        return self._capability("text_document", "diagnostic") is not None

    def refresh_diagnostics(self) -> None:
        """Ask a pulling client to pull again (results changed without an edit)."""
        if self._initialized and self._capability("workspace", "diagnostics", "refresh_support"):
            self.server.workspace_diagnostic_refresh(None)

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        if self.pull_diagnostics:
            return  # the client asks for each document's diagnostics when it wants them
        previous = self._tasks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self._tasks[uri] = asyncio.ensure_future(self._analyze_and_publish(uri, delay))

    def document(self, uri: str) -> TextDocument | None:
        """The open document at `uri` (as the client spells it), or None."""
        # pygls keys open documents by the unquoted URI: a plain lookup with the client's
        # `file:///my%20notes.md` would miss it and the document would never be analysed.
        document: TextDocument | None = self.server.workspace.text_documents.get(unquote(uri))
        return document

    def analyze_all(self) -> None:
        self.refresh_diagnostics()
        # Each document's own `uri` is the client's spelling; the workspace's keys are not.
        for document in list(self.server.workspace.text_documents.values()):
            self.schedule(document.uri)

    def close(self, uri: str) -> None:
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self._sentences.pop(uri, None)
        self._told_too_large.discard(uri)
        self.visible.forget(uri)
        self._ahead.pop(uri, None)
        self._cursor.pop(uri, None)
        self.publish(uri, [], None)

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        if self.pull_diagnostics:
            return
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    async def _analyze_and_publish(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.service.wait_until_settled()
            await self._analyze(uri)
        except asyncio.CancelledError:
            raise
        except ModelNotReady:
            pass  # the failure was shown once when loading failed; hovers explain it
        except Exception as error:  # one bad document must never stop the server
            LOG.exception("analysis of %s failed", uri)
            self.log(f"sentiment-ls: analysis of {uri} failed: {error!r}", types.MessageType.Error)

    def _current(self, uri: str, version: int | None) -> bool:
        document = self.document(uri)
        return document is not None and document.version == version

    async def _analyze(self, uri: str) -> None:
        document = self.document(uri)
        if document is None:
            return
        version = document.version
        if not self.wants(document):
            self.publish(uri, [], version)
            return
        source = document.source
        sentences = await self.document_sentences(uri, document)

        def is_current() -> bool:
            return self._current(uri, version)

        first = self.visible.first_pass(uri, sentences)
        engine = self.service.require_engine()
        pending = sum(1 for s in sentences if engine.cached(s.text) is None)
        if pending - len(first) >= MIN_REST:
            # A long analysis ahead: publish what the user sees first, then everything.
            shown = await self.service.analyze_document(
                [sentences[i] for i in first], is_current, Priority.VISIBLE
            )
            if shown is None or not is_current():
                return
            self._publish_result(uri, version, source, shown)
        result = await self.service.analyze_document(sentences, is_current, Priority.DOCUMENT)
        if result is None or not is_current():
            return  # a newer version is on its way; its own run publishes
        self._publish_result(uri, version, source, result)
        self.explain_ahead_of(uri, result, is_current)

    def explain_ahead_of(
        self, uri: str, result: DocumentResult, is_current: Callable[[], bool]
    ) -> None:
        """A document's new analysis: what to explain ahead of its hovers from now on."""
        self._ahead[uri] = (result, is_current)
        self.explain_ahead(uri)

    def explain_ahead(self, uri: str) -> None:
        """Compute the hover's word attributions now, at the lowest priority, of what the
        user is likely to hover, most likely first (lsp/ahead.py): flagged sentences and
        those where the user is. Called again when the cursor (a hover) or the visible
        ranges move, which reorders what is left."""
        known = self._ahead.get(uri)
        settings = self.settings_for(uri)  # what the hover of this document will ask
        if known is None or settings.hoverWords <= 0:
            return
        result, is_current = known
        if not is_current():
            return
        rule = self.flag_rule(uri)
        flagged = [i for i, a in enumerate(result.analyses) if rule.flags(a)]
        cursor = self._cursor.get(uri)
        order = explain_order(
            len(result.analyses),
            flagged,
            self.visible.first_pass(uri, result.sentences),
            sentence_at(result.sentences, cursor) if cursor is not None else None,
        )
        self.service.explain_in_background(
            uri,
            [
                result.analyses[i]
                for i in order
                if len(result.analyses[i].encoding.tokens) <= HOVER_MAX_EXPLAINED_TOKENS
            ],
            method=settings.explainMethod,
            steps=settings.integratedGradientsSteps,
            token_view=False,  # as the hover asks
            is_current=is_current,
        )

    def set_visible_ranges(self, params: Any) -> None:
        """`sentiment-ls/visibleRanges`: remember what the user sees of a document."""
        uri = _field(params, "uri")
        document = self.document(uri) if isinstance(uri, str) else None
        if document is None:
            return
        index = LineIndex(document.source)
        spans = []
        for item in _field(params, "ranges") or []:
            start, end = _field(item, "start"), _field(item, "end")
            try:
                spans.append(
                    (
                        index.offset(
                            int(_field(start, "line")),
                            int(_field(start, "character")),
                            self.encoding,
                        ),
                        index.offset(
                            int(_field(end, "line")), int(_field(end, "character")), self.encoding
                        ),
                    )
                )
            except (TypeError, ValueError):
                self.log(f"sentiment-ls: ignored a malformed visible range {item!r}")
        self.visible.set(uri, spans)
        self.explain_ahead(uri)

    def _publish_result(
        self, uri: str, version: int | None, source: str, result: DocumentResult
    ) -> None:
        self.publish(uri, self.diagnostics_for(uri, source, result), version)

    async def document_sentences(self, uri: str, document: TextDocument) -> list[Sentence]:
        # Version and text are read together, before the await: an edit that arrives while
        # the text is split must not file these sentences under its newer version (they
        # were, and the next run published the old text's ranges for the new text).
        version, source = document.version, document.source
        end = analysed_end(source, self.settings.maxDocumentChars)
        known = self._sentences.get(uri)
        if known is not None and known[0] == (version, end):
            return known[1]
        self._announce_size_limit(uri, len(source), end)
        sentences = await self.service.sentences(source[:end], document.language_id or "plaintext")
        self._sentences[uri] = ((version, end), sentences)
        return sentences

    def _announce_size_limit(self, uri: str, size: int, end: int) -> None:
        """Tell the user once per document that only its beginning is read."""
        if end == size:
            self._told_too_large.discard(uri)  # it fits again; tell again if it grows
            return
        if uri in self._told_too_large:
            return
        self._told_too_large.add(uri)
        limit = self.settings.maxDocumentChars
        self.show(
            f"sentiment-ls: {uri} has {size:,} characters, more than "
            f"`{SECTION}.maxDocumentChars` ({limit:,}); only its first {end:,} characters "
            "are analysed. Raise the setting to read all of it (analysis takes longer).",
            types.MessageType.Info,
        )

    # -- hover --------------------------------------------------------------------------
    @property
    def hover_markup(self) -> MarkupKind:
        """Markdown or plain text, as the client's `hover.contentFormat` prefers."""
        formats = self._capability("text_document", "hover", "content_format")
        # MarkupKind is a str enum: its value, not str(), which names the member.
        return choose_markup([getattr(kind, "value", kind) for kind in formats or ()])

    async def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        document = self.document(uri)
        if document is None or not self.wants(document):
            return None
        source = document.source
        index = LineIndex(source)
        offset = index.offset(position.line, position.character, self.encoding)
        end = analysed_end(source, self.settings.maxDocumentChars)
        if end < len(source) and offset >= end:
            message = (
                f"not analysed: this is past the first {end:,} characters, which is all "
                f"sentiment-ls reads of a document this large (`{SECTION}.maxDocumentChars`)"
            )
            here = lsp_range(index, offset, offset, self.encoding)
            return self._hover(status_text(message, self.hover_markup), here)
        sentences = await self.document_sentences(uri, document)
        sentence = next((s for s in sentences if s.start <= offset < s.end), None)
        if sentence is None:
            return None
        self._move_cursor(uri, sentences, offset)
        hover_range = lsp_range(index, sentence.start, sentence.end, self.encoding)
        if self.service.status is not ModelStatus.READY:
            status = status_text(self.service.describe_status(), self.hover_markup)
            return self._hover(status, hover_range)
        settings = self.settings_for(uri)
        try:
            analysis = await self.service.analyze_sentence(sentence.text)
            tokens = len(analysis.encoding.tokens)
            too_long = tokens > HOVER_MAX_EXPLAINED_TOKENS
            explanation = (
                await self._hover_explanation(analysis, settings)
                if settings.hoverWords > 0 and not too_long
                else None
            )
        except ModelNotReady as not_ready:
            return self._hover(status_text(str(not_ready), self.hover_markup), hover_range)
        loaded = self.service.loaded
        assert loaded is not None
        kind = self.hover_markup
        inputs = HoverInputs(
            sentence=sentence,
            analysis=analysis,
            explanation=explanation,
            verdict=verdict(self.flag_rule(uri), analysis),
            policy=policy_name(settings),
            model_id=loaded.model_id,
            words=settings.hoverWords,
            words_left_out=tokens if too_long else None,
        )
        return self._hover(hover_text(inputs, kind), hover_range)

    def _move_cursor(self, uri: str, sentences: list[Sentence], offset: int) -> None:
        """A hover says where the user is: explain around there next."""
        before = self._cursor.get(uri)
        self._cursor[uri] = offset
        if before is None or sentence_at(sentences, before) != sentence_at(sentences, offset):
            self.explain_ahead(uri)

    async def _hover_explanation(
        self, analysis: SentenceAnalysis, settings: Settings
    ) -> Explanation:
        explain = functools.partial(
            self.service.explain,
            analysis,
            steps=settings.integratedGradientsSteps,
            token_view=False,  # the hover shows words; the command has the tokens
        )
        try:
            return await explain(method=settings.explainMethod)
        except ExtraMissing as missing:
            # A method that needs torch where it is not installed: say so once, and hover
            # with the default method rather than with nothing.
            if str(missing) not in self._told_missing:
                self._told_missing.add(str(missing))
                self.show(f"sentiment-ls: {missing}; hovers use occlusion meanwhile")
            from sentiment_ls.analysis.explain import DEFAULT_METHOD

            return await explain(method=DEFAULT_METHOD)

    def _hover(self, value: str, hover_range: types.Range) -> types.Hover:
        kind = types.MarkupKind(self.hover_markup)
        return types.Hover(contents=types.MarkupContent(kind=kind, value=value), range=hover_range)

    def shutdown(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self.service.shutdown()


def _field(value: Any, name: str) -> Any:
    """A field of a custom notification's params: pygls hands them over as objects with
    attributes, a dict-like client may send plain mappings."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)

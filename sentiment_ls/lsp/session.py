"""What the server does between handlers: the settings as the client layers them, and the
life of open documents, tying together the model's loading (lsp/loading.py), pushed
diagnostics (lsp/publish.py), hovers (lsp/hover.py) and explaining ahead (lsp/ahead.py)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from sentiment_ls.document import SUPPORTED_LANGUAGES, LineIndex
from sentiment_ls.lsp.ahead import ExplainAhead
from sentiment_ls.lsp.configuration import SettingsLayers, needs_reload, section_of
from sentiment_ls.lsp.context import Context
from sentiment_ls.lsp.hover import Hovers
from sentiment_ls.lsp.loading import ModelLoading
from sentiment_ls.lsp.publish import Publisher
from sentiment_ls.project_config import is_config_file
from sentiment_ls.settings import SECTION

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer


class Session(Context):
    def __init__(self, server: LanguageServer) -> None:
        super().__init__(server)
        self.layers = SettingsLayers()
        self.ahead = ExplainAhead(self)
        self.publisher = Publisher(self, self.ahead)
        self.loading = ModelLoading(self, settled=self.publisher.analyze_all)
        self.hovers = Hovers(self, self.ahead)

    # -- settings -----------------------------------------------------------------------
    def initialize(self, options: Any) -> None:
        self.layers.initialization = options if isinstance(options, dict) else None
        if options is not None and not isinstance(options, dict):
            self.show(f"sentiment-ls: initializationOptions must be an object, got {options!r}")
        self._apply_settings(reload=False)
        # Start loading now: the initialize/initialized round trip and the configuration pull
        # then overlap the multi-second load instead of preceding it.
        self.loading.start()

    async def initialized(self) -> None:
        """The model started loading at `initialize`; pulled configuration may change it."""
        self.client_initialized = True
        # Not awaited: the client answers the registration while we go on.
        self._watch_task = asyncio.ensure_future(self.project.watch())
        if await self.pull_configuration():
            self._apply_settings(reload=True)  # a changed model restarts the load
        self.loading.report_pending()

    async def pull_configuration(self) -> bool:
        """Pull the `sentimentLs` section where the client supports it; True if it came."""
        if not self.capability("workspace", "configuration"):
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
            self.loading.start()
        else:
            self.loading.show_label_problems()
            self.publisher.analyze_all()

    # -- documents ----------------------------------------------------------------------
    def saved(self, uri: str) -> None:
        if is_config_file(uri):
            self.project_config_changed()  # a client that cannot watch files still saves
        self.publisher.schedule(uri)

    def files_changed(self, uris: list[str]) -> None:
        """workspace/didChangeWatchedFiles: we watch configuration files only, but a
        client may send other changes too."""
        if any(is_config_file(uri) for uri in uris):
            self.project_config_changed()

    def project_config_changed(self) -> None:
        self.project.forget()
        self.publisher.analyze_all()

    def close(self, uri: str) -> None:
        self.publisher.cancel(uri)
        self.forget(uri)
        self.ahead.forget(uri)
        self.publisher.publish(uri, [], None)

    def set_visible_ranges(self, params: Any) -> None:
        """`sentiment-ls/visibleRanges`: remember what the user sees of a document."""
        uri = _field(params, "uri")
        document = self.document(uri) if isinstance(uri, str) else None
        if document is None:
            return
        index = LineIndex(document.source)
        encoding = self.encoding
        spans = []
        for item in _field(params, "ranges") or []:
            start, end = _field(item, "start"), _field(item, "end")
            try:
                spans.append(
                    (
                        index.offset(
                            int(_field(start, "line")), int(_field(start, "character")), encoding
                        ),
                        index.offset(
                            int(_field(end, "line")), int(_field(end, "character")), encoding
                        ),
                    )
                )
            except (TypeError, ValueError):
                self.log(f"sentiment-ls: ignored a malformed visible range {item!r}")
        self.visible.set(uri, spans)
        if spans:  # where the user reads: explain ahead outward from there
            line, _ = index.position(sum(spans[0]) // 2, encoding)
            self.ahead.requested(uri, types.Position(line, 0))

    def shutdown(self) -> None:
        self.publisher.cancel_all()
        self.service.shutdown()


def _field(value: Any, name: str) -> Any:
    """A field of a custom notification's params: pygls hands them over as objects with
    attributes, a dict-like client may send plain mappings."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)

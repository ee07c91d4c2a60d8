"""The model's life cycle in the server: (re)loading it when the settings name another,
reporting the load as $/progress, and saying how it went."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from lsprotocol import types

from sentiment_ls.analysis.analysis_service import ModelStatus
from sentiment_ls.lsp.configuration import model_request
from sentiment_ls.lsp.context import Context
from sentiment_ls.rules import tone_labels


class ModelLoading:
    def __init__(self, context: Context, settled: Callable[[], None]) -> None:
        self.context = context
        self.settled = settled  # called when a load is done, ready or failed
        self._load_task: asyncio.Task[None] | None = None
        self._progress_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()  # only the awaiting wrapper; the worker finishes its job
        self._load_task = asyncio.ensure_future(self._load())
        if self.context.client_initialized:
            self._progress_task = asyncio.ensure_future(self._report())

    def report_pending(self) -> None:
        """Report a load under way since `initialize`, now that the client may be asked."""
        if self.context.service.status is ModelStatus.LOADING and self._progress_task is None:
            self._progress_task = asyncio.ensure_future(self._report())

    def show_label_problems(self) -> None:
        """Say where the editor's tone or flagLabels cannot apply to the model's labels."""
        loaded = self.context.service.loaded
        if loaded is None:
            return
        settings = self.context.settings
        _, problems = tone_labels(settings.tone, settings.flagLabels, loaded.labels)
        for problem in problems:
            self.context.show(f"sentiment-ls: {problem}")

    async def _report(self) -> None:
        """$/progress from now until the model settles, where the client supports it (and
        only after `initialized`: before, the protocol allows no server requests)."""
        context = self.context
        if not context.capability("window", "work_done_progress"):
            return
        progress = context.server.work_done_progress
        token = f"sentiment-ls/load/{uuid.uuid4()}"
        try:
            await progress.create_async(token)
        except Exception as error:  # a client that refuses a token gets no progress
            context.log(f"progress unavailable: {error}")
            return
        service = context.service
        name = service.request.model if service.request else context.settings.model
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="sentiment-ls", message=f"loading model {name}", cancellable=False
            ),
        )
        await service.wait_until_settled()
        progress.end(token, types.WorkDoneProgressEnd(message=service.describe_status()))

    async def _load(self) -> None:
        context, service = self.context, self.context.service
        request = model_request(context.settings)
        await service.load(request)
        if service.request != request:
            return  # superseded by a newer load
        message = service.describe_status()
        if service.status is ModelStatus.FAILED:
            context.show(f"sentiment-ls: {message}", types.MessageType.Error)
        else:
            loaded = service.loaded
            assert loaded is not None
            context.log(f"sentiment-ls: {message} on {loaded.where}; labels {loaded.labels}")
            self._hear_from_service(loaded.runtime)
            for warning in loaded.warnings:
                context.show(f"sentiment-ls: {warning}")
            self.show_label_problems()
        self.settled()

    def _hear_from_service(self, runtime: object) -> None:
        """A remote runtime's news (an outage, a recovery) comes from the model worker's
        thread: shown (a warning) or logged, on the event loop."""
        # Imported here: numpy and the service protocol are not needed to answer `initialize`.
        from sentiment_ls.analysis.runtimes.remote import RemoteRuntime

        if not isinstance(runtime, RemoteRuntime):
            return
        loop = asyncio.get_running_loop()
        context = self.context

        def tell(message: str, warning: bool) -> None:
            say = context.show if warning else context.log
            loop.call_soon_threadsafe(say, f"sentiment-ls: {message}")

        runtime.notify = tell

"""The real server over stdio, driven from synchronous code (Hypothesis state machines): the
client's event loop runs in a thread of its own and each call waits for its coroutine."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import SERVER_COMMAND, SERVER_ENV, TIMEOUT, RecordingClient, make_client

T = TypeVar("T")


class ThreadedServer:
    def __init__(
        self, initialization_options: dict[str, Any], position_encodings: list[str] | None = None
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.client: RecordingClient = make_client()
        self.run(self.client.start_io(*SERVER_COMMAND, env=SERVER_ENV))
        capabilities = client_capabilities("visual-studio-code")
        if position_encodings is not None:
            capabilities.general = types.GeneralClientCapabilities(
                position_encodings=position_encodings  # type: ignore[arg-type]
            )
        result = self.run(
            self.client.initialize_session(
                types.InitializeParams(
                    capabilities=capabilities, initialization_options=initialization_options
                )
            )
        )
        self.encoding = str(result.capabilities.position_encoding or "utf-16")

    def run(self, awaitable: Awaitable[T], timeout: float = TIMEOUT) -> T:
        async def wrapper() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the client's loop (notifications must be sent from there)."""

        async def wrapper() -> T:
            return fn()

        return self.run(wrapper())

    def alive(self) -> bool:
        server = self.client._server
        return server is not None and server.returncode is None

    def pid(self) -> int:
        server = self.client._server
        assert server is not None
        return int(server.pid)

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_session(), timeout=30)
        finally:
            self.run(self.client.stop(), timeout=30)  # type: ignore[no-untyped-call]
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)

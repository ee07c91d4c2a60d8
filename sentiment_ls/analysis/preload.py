"""The default model, loaded while the server's own modules import.

Importing pygls and lsprotocol takes ~0.4 s (lsprotocol.types alone 0.24 s on a quiet
machine), loading the embedded model ~0.35 s: one after the other they held the first
diagnostics past a second. So the server starts loading the model its settings name by
default on a thread before it imports anything else, and the first load whose request is
that default takes the result. A client that names another model costs the preload's work, once;
its model loads as before. A preload that failed is loaded again, so that the error is
raised where it is reported.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from sentiment_ls.analysis.request import LoadRequest

if TYPE_CHECKING:
    from sentiment_ls.analysis.loaded_model import LoadedModel

_lock = threading.Lock()
_pending: tuple[LoadRequest, Future[LoadedModel]] | None = None


def start(request: LoadRequest | None = None) -> None:
    """Begin loading `request` (the default model) on a thread of its own."""
    global _pending
    wanted = request or LoadRequest()
    future: Future[LoadedModel] = Future()

    def run() -> None:
        try:  # imported here, on the thread: the runtimes' modules are part of the load
            from sentiment_ls.analysis.model_loading import load_model

            future.set_result(load_model(wanted))
        except BaseException as error:  # handed to `take`, which loads again
            future.set_exception(error)

    with _lock:
        _pending = (wanted, future)
    # Not a daemon: a process told to exit while the load is inside onnxruntime would abort
    # (SIGABRT, seen when a TCP client sent `exit` within a second of start); the
    # interpreter waits for the load to end instead, at most the load's own time.
    threading.Thread(target=run, name="sentiment-ls-preload", daemon=False).start()


def take(request: LoadRequest) -> LoadedModel | None:
    """The preloaded model if it is `request`'s (waiting for it to finish), once; else None."""
    global _pending
    with _lock:
        pending, _pending = _pending, None
    if pending is None or pending[0] != request:
        return None
    try:
        return pending[1].result()
    except Exception:
        return None

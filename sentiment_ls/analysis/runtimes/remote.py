"""The `remote` runtime: forward passes sent to a team service that speaks the Open Inference
Protocol v2 (`sentiment-ls serve`, or Triton, KServe, MLServer serving the exported model).

What is sent depends on the service's model, read from its metadata at connect (or, when the
service was down then, at the first request that reaches it). Token ids where its tokenizer
is the local model's (the same `tokenizer.json` by sha256, or none declared, as Triton
serving the exported model declares none): the tokenizer and post-processing stay local.
The sentences' text where its tokenizer differs and it takes text (the `text` input): a
team's larger model, the teacher, with its own tokenizer; the log says so, as news. Only the
labels must match: a service whose labels differ is said once and not used. Nothing is sent
unless the user set a URL and a mode. Each answer says which model gave it ("team service:
NAME" or "local fallback"), for the hover and `check`'s report.

Modes: `prefer` falls back to the local model on an error or a timeout, says so once per
outage, and tries the service again after a backoff (1 s, doubling to 60 s); `require`
raises `ServiceUnavailable` instead, said once per outage too. Requests are as large as the
service's limits allow (rows per request), over http or https (the system's certificates).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import tokenizer_sha256, weights_sha256
from sentiment_ls.analysis.preprocess import encodable
from sentiment_ls.analysis.request import LOCAL_FALLBACK, LoadRequest, TeamService
from sentiment_ls.analysis.runtimes import (
    Answer,
    FloatArray,
    IdArray,
    Purpose,
    Runtime,
    mean_of_windows,
)
from sentiment_ls.analysis.runtimes.inference_messages import (
    ModelCard,
    binary_text_infer_body,
    card_from_metadata,
    logits_from_response,
    padded_infer_body,
)
from sentiment_ls.analysis.runtimes.inference_protocol import MODEL_NAME
from sentiment_ls.analysis.runtimes.service_connection import Configured, Connection, connection

LOG = logging.getLogger(__name__)
Row = TypeVar("Row", Sequence[int], str)  # a request's row: token ids, or a sentence's text
ROWS_PER_REQUEST = 256  # within the service's default limits (512 rows, 64k tokens)
TOKENS_PER_REQUEST = 32 * 1024
# Text a request: within the service's default limit (256 KiB), and, at a token or more per
# byte, within its tokens a request once tokenized.
TEXT_BYTES_PER_REQUEST = 16 * 1024
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0


class ServiceUnavailable(RuntimeError):
    """The service failed and the mode is `require`; the message says what happened."""


class ServiceError(Exception):
    """One failed exchange with the service."""


class RequestTooLarge(ServiceError):
    """HTTP 413: the service's own limits are below the ones this client assumed."""


class ServiceClient:
    def __init__(self, service: TeamService) -> None:
        self.service = service
        self.base = service.url.rstrip("/")
        self._token = os.environ.get(service.token_env, "").strip() or None
        self.rows_per_request = ROWS_PER_REQUEST  # lowered by a service's 413 (_within_limits)

    def _call(self, path: str, body: bytes | None = None, json_length: int | None = None) -> Any:
        request = urllib.request.Request(self.base + path, data=body)
        if json_length is not None:  # the binary tensor extension
            request.add_header("Content-Type", "application/octet-stream")
            request.add_header("Inference-Header-Content-Length", str(json_length))
        elif body is not None:
            request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=self.service.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise ServiceError(self._refusal(error.code)) from None
            if error.code == 413:
                raise RequestTooLarge(f"HTTP 413: {_error_text(error)}") from None
            raise ServiceError(f"HTTP {error.code}: {_error_text(error)}") from None
        except urllib.error.URLError as error:
            raise ServiceError(str(error.reason)) from None
        except (OSError, ValueError) as error:  # timeouts, resets, a body that is not JSON
            raise ServiceError(str(error) or type(error).__name__) from None

    def _refusal(self, code: int) -> str:
        """A 401 or 403, said with the variable the token is read from: the one thing the
        user can change (`command_line_wording` rewords "the editor's environment")."""
        env = self.service.token_env
        sent = f"the token in {env} is refused" if self._token else f"{env} is not set"
        return f"HTTP {code}: {sent}: set {env} in the editor's environment to one of its tokens"

    def connect(self) -> ModelCard:
        """Health, then the model's metadata."""
        self._call("/v2/health/ready")
        try:
            return card_from_metadata(self._call(f"/v2/models/{MODEL_NAME}"))
        except ValueError as error:
            raise ServiceError(str(error)) from None

    def logits(self, rows: Sequence[Sequence[int]], labels: int) -> FloatArray:
        """Logits of rows of any lengths, in as few requests as the limits allow."""
        parts = [
            self._within_limits(chunk, labels, lambda c: (padded_infer_body(c), None))
            for chunk in _requests(rows, self.rows_per_request)
        ]
        return np.concatenate(parts) if parts else np.empty((0, labels), dtype=np.float32)

    def text_logits(self, texts: Sequence[str], labels: int) -> FloatArray:
        """Logits of sentences sent as text (the service's tokenizer reads them), one row
        each, in as few requests as the limits allow."""
        parts = [
            self._within_limits(chunk, labels, binary_text_infer_body)
            for chunk in _text_requests([encodable(t) for t in texts], self.rows_per_request)
        ]
        return np.concatenate(parts) if parts else np.empty((0, labels), dtype=np.float32)

    def _within_limits(
        self,
        chunk: Sequence[Row],
        labels: int,
        body_of: Callable[[Sequence[Row]], tuple[bytes, int | None]],
    ) -> FloatArray:
        """One chunk's logits. A service configured with smaller limits than this client
        assumes answers 413: the chunk is halved until it fits, and later requests start at
        the size that did (a service's limits are its operator's choice)."""
        try:
            body, json_length = body_of(chunk)
            return self._infer(body, len(chunk), labels, json_length)
        except RequestTooLarge:
            if len(chunk) == 1:
                raise
        half = len(chunk) // 2
        self.rows_per_request = min(self.rows_per_request, half)
        return np.concatenate(
            [
                self._within_limits(chunk[:half], labels, body_of),
                self._within_limits(chunk[half:], labels, body_of),
            ]
        )

    def _infer(
        self, body: bytes, rows: int, labels: int, json_length: int | None = None
    ) -> FloatArray:
        answer = self._call(f"/v2/models/{MODEL_NAME}/infer", body, json_length)
        try:
            return logits_from_response(answer, rows, labels)
        except ValueError as error:
            raise ServiceError(str(error)) from None


def _requests(
    rows: Sequence[Sequence[int]], most_rows: int = ROWS_PER_REQUEST
) -> list[Sequence[Sequence[int]]]:
    """Consecutive runs of rows within a request's limits (rows, and padded tokens)."""
    chunks: list[Sequence[Sequence[int]]] = []
    start, width = 0, 0
    for i, row in enumerate(rows):
        wider = max(width, len(row))
        full = i - start == most_rows or (i - start + 1) * wider > TOKENS_PER_REQUEST
        if i > start and full:
            chunks.append(rows[start:i])
            start, wider = i, len(row)
        width = wider
    if start < len(rows):
        chunks.append(rows[start:])
    return chunks


def _text_requests(texts: Sequence[str], most_rows: int = ROWS_PER_REQUEST) -> list[Sequence[str]]:
    """Consecutive runs of sentences within a request's limits (rows, and bytes of text)."""
    chunks: list[Sequence[str]] = []
    start, size = 0, 0
    for i, text in enumerate(texts):
        length = len(text.encode())
        full = i - start == most_rows or size + length > TEXT_BYTES_PER_REQUEST
        if i > start and full:
            chunks.append(texts[start:i])
            start, size = i, 0
        size += length
    if start < len(texts):
        chunks.append(texts[start:])
    return chunks


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        found = json.loads(error.read()).get("error")
        return str(found) if found else str(error.reason)
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


# A message for the user, and whether it is a warning (shown) or news (logged).
Notify = Callable[[str, bool], None]


class RemoteRuntime:
    """A Runtime whose forward passes run on the service; `local` serves `prefer`'s fallback."""

    name = "remote"
    mixed_lengths = True  # one request for a chunk of rows, not one per length

    def __init__(
        self, client: ServiceClient, local: Runtime, labels: int, configured: Configured
    ) -> None:
        self.client = client
        self.local = local
        self.labels = labels
        self.configured = configured
        self.mode = client.service.mode
        # None until the service's metadata is read (at load, or at the first request that
        # reaches it when it was down then).
        self.connection: Connection | None = None
        # What the user should hear (an outage, a recovery); the server shows it, a command
        # prints it. Called from the model worker's thread.
        self.notify: Notify = lambda message, warning: LOG.log(
            logging.WARNING if warning else logging.INFO, "%s", message
        )
        self._lock = threading.Lock()
        self._failures = 0
        self._retry_at = 0.0
        self._told = False
        # Why the service is down, said again by a hover while it is (`require`).
        self.outage = f"the service at {client.base} is unavailable"
        self.sent_rows = 0  # rows (or sentences as text) the service answered

    @property
    def where(self) -> str:
        found = self.connection
        return self.client.base if found is None else f"{self.client.base} ({found.describe()})"

    @property
    def answering(self) -> str:
        with self._lock:
            down = self._failures > 0
        found = self.connection
        if found is None or found.refused or down:
            return LOCAL_FALLBACK
        return found.source

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        return self.logits_of_rows([list(row) for row in input_ids.tolist()], purpose)

    def logits_of_rows(
        self, rows: Sequence[Sequence[int]], purpose: Purpose = "verdict"
    ) -> FloatArray:
        """Rows of the local tokenizer's ids, of any lengths: on the service where it reads
        them, else on the local model (the explanations of a service that takes text: they
        vary the local tokens)."""
        if self.connection is not None and self.connection.text:
            return self._local(rows, purpose)
        found = self._ask(lambda c: None if c.text else self.client.logits(rows, self.labels))
        if found is None:
            return self._local(rows, purpose)
        self.sent_rows += len(rows)
        return found

    def sentence_logits(
        self, texts: Sequence[str], windows: Sequence[Sequence[Sequence[int]]]
    ) -> Answer:
        """Each sentence's logits, and which model gave them: the service's, from the text
        or the local windows as it reads them, else the local model's (`prefer`)."""
        rows = [window for sentence in windows for window in sentence]
        counts = [len(sentence) for sentence in windows]

        def ask(found: Connection) -> FloatArray:
            if found.text:
                return self.client.text_logits(texts, self.labels)
            return mean_of_windows(self.client.logits(rows, self.labels), counts)

        logits = self._ask(ask)
        if logits is None or self.connection is None:
            return Answer(mean_of_windows(self._local(rows, "verdict"), counts), LOCAL_FALLBACK)
        self.sent_rows += len(texts) if self.connection.text else len(rows)
        return Answer(logits, self.connection.source)

    def _local(self, rows: Sequence[Sequence[int]], purpose: Purpose) -> FloatArray:
        """The local runtime's logits, rows batched by exact length as the forward stage
        batches them."""
        return self.local.logits_of_rows(rows, purpose)

    def _ask(self, ask: Callable[[Connection], FloatArray | None]) -> FloatArray | None:
        """The service's answer; None where the local model answers instead (`prefer`, or a
        service that does not read what was asked); ServiceUnavailable in `require`."""
        with self._lock:
            waiting = self._failures > 0 and time.monotonic() < self._retry_at
        if waiting:  # within the backoff: no request, the outage was said already
            if self.mode == "require":
                raise ServiceUnavailable(self.outage)
            return None
        try:
            found = self._connected()
            if found.refused:
                if self.mode == "require":
                    raise ServiceUnavailable(found.problems[0])
                return None
            result = ask(found)
        except ServiceError as error:
            self._failed(error)
            return None
        self._recovered()
        return result

    def _connected(self) -> Connection:
        """The connection, reading the service's metadata first if it is not known yet (and
        saying once what the user should hear of it)."""
        if self.connection is None:
            found = connection(self.client.base, self.client.connect(), self.configured)
            self.connection = found
            for problem in found.problems:
                self.notify(problem, True)
            if found.text:
                self.notify(f"the service at {self.client.base}: {found.describe()}", False)
        return self.connection

    def mark_down(self, error: ServiceError) -> None:
        """The service failed at connect, and the user was told with the load's warnings:
        wait for the backoff before trying it, and say nothing more until it is back."""
        with self._lock:
            self._failures, self._told = 1, True
            self._retry_at = time.monotonic() + FIRST_BACKOFF_S
            self.outage = f"the service at {self.client.base} is unavailable ({error})"

    def _failed(self, error: ServiceError) -> None:
        """Back off, say the outage once, and raise in `require`."""
        with self._lock:
            self._failures += 1
            backoff = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (self._failures - 1))
            self._retry_at = time.monotonic() + backoff
            tell = not self._told
            self._told = True
            self.outage = what = f"the service at {self.client.base} is unavailable ({error})"
        if self.mode == "require":
            if tell:
                self.notify(f"{what}; `service.mode` is `require`, so nothing is analysed", True)
            raise ServiceUnavailable(what)
        if tell:
            self.notify(f"{what}; using the local model until it is back", True)

    def _recovered(self) -> None:
        with self._lock:
            was_down = self._failures > 0
            self._failures, self._retry_at, self._told = 0, 0.0, False
        if was_down:
            self.notify(f"the service at {self.client.base} is back; using it again", False)


def load_remote(request: LoadRequest, local: LoadedModel) -> LoadedModel:
    """`local` (the configured model loaded here: tokenizer, labels, and `prefer`'s fallback)
    with its forward passes sent to the service; the service's health and model checked at
    once."""
    assert request.team_service is not None
    client = ServiceClient(request.team_service)
    configured = Configured(
        local.labels,
        weights_sha256(request.model),
        tokenizer_sha256(request.model),
        local.max_length,
    )
    remote = RemoteRuntime(client, local.runtime, len(local.id2label), configured)
    notes: list[str] = []
    try:
        card = client.connect()
    except ServiceError as error:
        remote.mark_down(error)
        mode = request.team_service.mode
        then = "using the local model" if mode == "prefer" else "nothing analysed"
        notes.append(f"the service at {client.base} is unavailable ({error}); {then} until it is")
    else:
        remote.connection = connection(client.base, card, configured)
        notes += remote.connection.problems
    return local.replaced(runtime=remote, warnings=(*local.warnings, *notes))

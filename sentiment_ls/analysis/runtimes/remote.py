"""The `remote` runtime: forward passes sent to a team service that speaks the Open Inference
Protocol v2 (`sentiment-ls serve`, or Triton, KServe, MLServer serving the exported model).

Only token ids leave the machine: the tokenizer and post-processing stay local, so hovers
still show the local tokenizer stage. Nothing is sent unless the user set a URL and a mode.

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
from typing import Any

import numpy as np

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import weights_sha256
from sentiment_ls.analysis.request import LoadRequest, TeamService
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, Purpose, Runtime
from sentiment_ls.analysis.runtimes.inference_protocol import (
    MODEL_NAME,
    ModelCard,
    card_from_metadata,
    logits_from_response,
    padded_infer_body,
)

LOG = logging.getLogger(__name__)
ROWS_PER_REQUEST = 256  # within the service's default limits (512 rows, 64k tokens)
TOKENS_PER_REQUEST = 32 * 1024
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0


class ServiceUnavailable(RuntimeError):
    """The service failed and the mode is `require`; the message says what happened."""


class ServiceError(Exception):
    """One failed exchange with the service."""


class ServiceClient:
    def __init__(self, service: TeamService) -> None:
        self.service = service
        self.base = service.url.rstrip("/")
        self._token = os.environ.get(service.token_env, "").strip() or None

    def _call(self, path: str, body: bytes | None = None) -> Any:
        request = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=self.service.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise ServiceError(self._refusal(error.code)) from None
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
        parts = []
        for chunk in _requests(rows):
            body = padded_infer_body(chunk)
            answer = self._call(f"/v2/models/{MODEL_NAME}/infer", body)
            try:
                parts.append(logits_from_response(answer, len(chunk), labels))
            except ValueError as error:
                raise ServiceError(str(error)) from None
        return np.concatenate(parts) if parts else np.empty((0, labels), dtype=np.float32)


def _requests(rows: Sequence[Sequence[int]]) -> list[Sequence[Sequence[int]]]:
    """Consecutive runs of rows within a request's limits (rows, and padded tokens)."""
    chunks: list[Sequence[Sequence[int]]] = []
    start, width = 0, 0
    for i, row in enumerate(rows):
        wider = max(width, len(row))
        full = i - start == ROWS_PER_REQUEST or (i - start + 1) * wider > TOKENS_PER_REQUEST
        if i > start and full:
            chunks.append(rows[start:i])
            start, wider = i, len(row)
        width = wider
    if start < len(rows):
        chunks.append(rows[start:])
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

    def __init__(self, client: ServiceClient, local: Runtime, labels: int) -> None:
        self.client = client
        self.local = local
        self.labels = labels
        self.mode = client.service.mode
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
        self.sent_rows = 0  # rows the service answered: tests and benchmarks read it

    @property
    def where(self) -> str:
        return self.client.base

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        return self.logits_of_rows([list(row) for row in input_ids.tolist()], purpose)

    def logits_of_rows(
        self, rows: Sequence[Sequence[int]], purpose: Purpose = "verdict"
    ) -> FloatArray:
        """Rows of any lengths (the forward stage hands a whole chunk over at once)."""
        with self._lock:
            waiting = self._failures > 0 and time.monotonic() < self._retry_at
        if waiting:  # within the backoff: no request, the outage was said already
            if self.mode == "require":
                raise ServiceUnavailable(self.outage)
            return self._local(rows, purpose)
        try:
            result = self.client.logits(rows, self.labels)
        except ServiceError as error:
            return self._failed(error, rows, purpose)
        self._recovered()
        self.sent_rows += len(rows)
        return result

    def _local(self, rows: Sequence[Sequence[int]], purpose: Purpose) -> FloatArray:
        """The local runtime's logits, rows batched by exact length as the forward stage
        batches them."""
        return self.local.logits_of_rows(rows, purpose)

    def mark_down(self, error: ServiceError) -> None:
        """The service failed at connect, and the user was told with the load's warnings:
        wait for the backoff before trying it, and say nothing more until it is back."""
        with self._lock:
            self._failures, self._told = 1, True
            self._retry_at = time.monotonic() + FIRST_BACKOFF_S
            self.outage = f"the service at {self.client.base} is unavailable ({error})"

    def _failed(
        self, error: ServiceError, rows: Sequence[Sequence[int]], purpose: Purpose
    ) -> FloatArray:
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
        return self._local(rows, purpose)

    def _recovered(self) -> None:
        with self._lock:
            was_down = self._failures > 0
            self._failures, self._retry_at, self._told = 0, 0.0, False
        if was_down:
            self.notify(f"the service at {self.client.base} is back; using it again", False)


def connect_problems(
    client: ServiceClient, card: ModelCard, labels: list[str], digest: str | None, max_length: int
) -> list[str]:
    """What differs between the service's model and the one configured here, said once."""
    problems = []
    where = f"the service at {client.base}"
    if list(card.labels) != labels:
        problems.append(
            f"{where} serves a model with the labels {list(card.labels)}, but the configured "
            f"model has {labels}: its verdicts will not mean what the settings say"
        )
    if digest and card.weights_sha256 and digest != card.weights_sha256:
        problems.append(
            f"{where} serves other weights than the configured model's (sha256 "
            f"{card.weights_sha256[:12]}… against {digest[:12]}…): scores may differ from a "
            "local run"
        )
    if card.max_length < max_length:
        problems.append(
            f"{where} reads at most {card.max_length} tokens a row, the local tokenizer "
            f"makes rows of up to {max_length}: long sentences will fail"
        )
    return problems


def load_remote(request: LoadRequest, local: LoadedModel) -> LoadedModel:
    """`local` (the configured model loaded here: tokenizer, labels, and `prefer`'s fallback)
    with its forward passes sent to the service; the service's health and model checked at
    once."""
    assert request.team_service is not None
    client = ServiceClient(request.team_service)
    remote = RemoteRuntime(client, local.runtime, len(local.id2label))
    notes = []
    try:
        card = client.connect()
    except ServiceError as error:
        remote.mark_down(error)
        mode = request.team_service.mode
        then = "using the local model" if mode == "prefer" else "nothing analysed"
        notes.append(f"the service at {client.base} is unavailable ({error}); {then} until it is")
    else:
        digest = weights_sha256(request.model)
        notes += connect_problems(client, card, local.labels, digest, local.max_length)
    return local.replaced(runtime=remote, warnings=(*local.warnings, *notes))

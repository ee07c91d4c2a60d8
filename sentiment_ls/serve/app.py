"""The Ray Serve application: one deployment with a FastAPI ingress, one model copy per
replica on its own threads, `@serve.batch` merging concurrent requests into one batch.

Paths (the Open Inference Protocol v2, model name `sentiment-ls`):
  GET  /v2/health/live, /v2/health/ready          open, no token
  GET  /v2, /v2/models/sentiment-ls[/ready]       bearer token
  POST /v2/models/sentiment-ls/infer              bearer token; INT64 ids, or BYTES text
                                                  (tokenized here), -> FP32 logits, as JSON
                                                  or with the binary tensor extension

Nothing of a request's content is logged or stored: the access log (Ray's) has the method,
path, status and time; errors name the rule a request broke, never its data.

`build` is also an application builder for Ray's own tooling: a Serve config file with
`import_path: sentiment_ls.serve.app:build` and `args` (see the README) runs with `serve run`.
"""

# No `from __future__ import annotations` here: FastAPI reads the routes' annotations at
# run time, and as strings inside a Serve ingress class `Request` became a query parameter.
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from ray import serve
from ray.serve import Application

from sentiment_ls import __version__
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, mean_of_windows
from sentiment_ls.analysis.runtimes.inference_messages import (
    binary_infer_response,
    error_body,
    infer_response,
)
from sentiment_ls.analysis.runtimes.inference_protocol import (
    MODEL_NAME,
    Limits,
    ProtocolError,
    parse_infer_request,
)
from sentiment_ls.analysis.runtimes.ort import THREADS_ENV
from sentiment_ls.embedded import EMBEDDED_MODEL_ID
from sentiment_ls.serve.auth import check_authorization

LOG = logging.getLogger(__name__)
DEPLOYMENT = "SentimentService"
MAX_BATCH_REQUESTS = 16
BATCH_WAIT_S = 0.002


@dataclass(frozen=True)
class ServiceConfig:
    """What a replica needs; token digests only, never tokens."""

    model: str = EMBEDDED_MODEL_ID
    token_digests: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)


api = FastAPI(title="sentiment-ls", version=__version__, docs_url=None, redoc_url=None)
MODEL_PATH = f"/v2/models/{MODEL_NAME}"


def _error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(message), status_code=status, headers=headers)


@serve.deployment(name=DEPLOYMENT, ray_actor_options={"num_cpus": 1}, max_ongoing_requests=64)
@serve.ingress(api)
class SentimentService:
    def __init__(self, config: ServiceConfig) -> None:
        from sentiment_ls.serve.host import ModelHost

        self.config = config
        self.host = ModelHost(config.model)

    def _refused(self, request: Request) -> JSONResponse | None:
        refusal = check_authorization(
            request.headers.get("authorization"), self.config.token_digests
        )
        return None if refusal is None else _error(*refusal)

    @api.get("/v2/health/live")
    def live(self) -> dict[str, bool]:
        return {"live": True}

    @api.get("/v2/health/ready")
    def ready(self) -> dict[str, bool]:
        return {"ready": True}  # a replica answers only once its model is loaded

    @api.get("/v2")
    def server_metadata(self, request: Request) -> Any:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return {"name": "sentiment-ls", "version": __version__, "extensions": []}

    @api.get(MODEL_PATH)
    def model_metadata(self, request: Request) -> Any:
        return self._refused(request) or self.host.card.metadata()

    @api.get(MODEL_PATH + "/ready")
    def model_ready(self, request: Request) -> Any:
        return self._refused(request) or {"name": MODEL_NAME, "ready": True}

    @api.post(MODEL_PATH + "/infer")
    async def infer(self, request: Request) -> Any:
        refused = self._refused(request)
        if refused is not None:
            return refused
        json_length = request.headers.get("inference-header-content-length")
        if json_length is not None and not json_length.isdigit():
            return _error(400, "Inference-Header-Content-Length must be a byte count")
        limits = self.config.limits
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            return _error(413, f"the request has {declared} bytes; at most {limits.max_bytes}")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limits.max_bytes:
                return _error(413, f"the request has over {limits.max_bytes} bytes")
        try:
            parsed = parse_infer_request(
                bytes(body),
                limits,
                self.host.card.max_length,
                self.host.vocabulary,
                int(json_length) if json_length is not None else None,
            )
            rows, windows = parsed.rows, None
            if parsed.texts is not None:  # off the event loop, as the model runs
                rows, windows = await asyncio.to_thread(self.host.windows, parsed.texts, limits)
        except ProtocolError as error:
            return _error(error.status, error.message)
        try:
            logits = await self.forward(rows)
            if windows is not None:  # a long sentence's windows vote equally
                logits = mean_of_windows(logits, windows)
        except Exception as error:  # a runtime's message may quote the data: only its type
            LOG.error("inference failed: %s", type(error).__name__)
            return _error(500, "inference failed")
        if parsed.binary_output:
            content, header = binary_infer_response(logits, MODEL_NAME, parsed.request_id)
            return Response(
                content,
                media_type="application/octet-stream",
                headers={"Inference-Header-Content-Length": str(header)},
            )
        return infer_response(logits, MODEL_NAME, parsed.request_id)

    @serve.batch(max_batch_size=MAX_BATCH_REQUESTS, batch_wait_timeout_s=BATCH_WAIT_S)
    async def forward(self, requests: Sequence[Sequence[IdArray]]) -> list[FloatArray]:
        # Off the replica's event loop: health checks and parsing go on meanwhile.
        return await asyncio.to_thread(self.host.run, requests)


@dataclass(frozen=True)
class Scaling:
    replicas: int = 1
    cpus_per_replica: float = 1.0
    # Ray Serve's autoscaling_config (min_replicas, max_replicas, ...): replaces `replicas`.
    autoscaling: dict[str, Any] | None = None


def application(config: ServiceConfig, scaling: Scaling) -> Application:
    threads = max(1, int(scaling.cpus_per_replica))
    options: dict[str, Any] = {
        "ray_actor_options": {
            "num_cpus": scaling.cpus_per_replica,
            "runtime_env": {"env_vars": {THREADS_ENV: str(threads)}},
        }
    }
    if scaling.autoscaling:
        options["autoscaling_config"] = scaling.autoscaling
    else:
        options["num_replicas"] = scaling.replicas
    # serve.ingress returns the class untyped to mypy; the deployment it makes has options().
    deployment: Any = SentimentService
    bound: Application = deployment.options(**options).bind(config)
    return bound


def build(args: dict[str, Any]) -> Application:
    """The application builder for a Serve config file's `import_path`; the file's
    `deployments` entry for SentimentService sets replicas and autoscaling."""
    return application(config_from_args(args), Scaling())


def config_from_args(args: dict[str, Any]) -> ServiceConfig:
    """`args` may hold `model`, `tokens_file`, `max_bytes`, `max_rows`, `max_tokens`; tokens
    also come from SENTIMENT_LS_SERVICE_TOKENS in the environment of whoever builds it."""
    from pathlib import Path

    from sentiment_ls.serve.auth import digest, read_tokens

    tokens_file = args.get("tokens_file")
    tokens = read_tokens(file=Path(tokens_file) if tokens_file else None)
    defaults = asdict(Limits())
    limits = Limits(**{k: int(args.get(k, v)) for k, v in defaults.items()})
    return ServiceConfig(
        str(args.get("model", EMBEDDED_MODEL_ID)), tuple(digest(t) for t in tokens), limits
    )

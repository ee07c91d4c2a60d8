"""What a model load asks for: the model, where and how it runs, and a team service for its
forward passes. The editor's settings and a command's options each build one `LoadRequest`
(lsp/configuration.py, command_model.py); `model_loading.load_model` takes it, the server
compares two to tell whether a settings change needs a reload, and `check`'s cache and a Ray
job receive it as it is (it is frozen, so it hashes, compares and pickles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sentiment_ls.embedded import EMBEDDED_MODEL_ID

Precision = Literal["int8", "fp32"]
# Which runtime runs the model: `auto` lets the model decide (onnxruntime where it has an
# ONNX export, torch otherwise).
RuntimeName = Literal["auto", "onnxruntime", "torch"]

ServiceMode = Literal["off", "prefer", "require"]
DEFAULT_TOKEN_ENV = "SENTIMENT_LS_SERVICE_TOKEN"
EDITOR_TIMEOUT_S = 2.0  # a hover must not wait long for a service that went away
CHECK_TIMEOUT_S = 60.0  # a batch job may wait for a busy service


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class TeamService:
    """A team service for the forward passes (the `remote` runtime, `sentiment-ls serve`)."""

    url: str
    token_env: str = DEFAULT_TOKEN_ENV
    mode: ServiceMode = "prefer"
    timeout_s: float = EDITOR_TIMEOUT_S


# Which model answered a sentence where a team service is configured: "team service: NAME"
# (runtimes/service_connection.py), or the configured model in its place, this.
LOCAL_FALLBACK = "local fallback"


@dataclass(frozen=True, kw_only=True)
class LoadRequest:
    """A model to load; changing any field means loading again."""

    model: str = EMBEDDED_MODEL_ID  # "embedded", "embedded-sst2", a folder or a Hub id
    device: str = "auto"
    allow_download: bool = False
    precision: Precision = "fp32"
    allow_pickle: bool = False
    runtime: RuntimeName = "auto"  # the local runtime (the remote one's fallback too)
    # A team service for the forward passes (the `remote` runtime); None: local only.
    team_service: TeamService | None = None
    # A run that ends (`check`, `eval`) rather than the server: every core, see runtimes/ort.py.
    batch: bool = False

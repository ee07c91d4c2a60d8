"""What identifies a loaded model: changing any of these means loading again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sentiment_ls.embedded import EMBEDDED_MODEL_ID

Precision = Literal["int8", "fp32"]
# Which runtime runs the model: `auto` lets the model decide (onnxruntime where it has an
# ONNX export, torch otherwise).
RuntimeSetting = Literal["auto", "onnxruntime", "torch"]


ServiceMode = Literal["off", "prefer", "require"]
DEFAULT_TOKEN_ENV = "SENTIMENT_LS_SERVICE_TOKEN"
EDITOR_TIMEOUT_S = 2.0  # a hover must not wait long for a service that went away
CHECK_TIMEOUT_S = 60.0  # a batch job may wait for a busy service


@dataclass(frozen=True)
class ServiceSpec:
    """A team service for the forward passes (the `remote` runtime)."""

    url: str
    token_env: str = DEFAULT_TOKEN_ENV
    mode: ServiceMode = "prefer"
    timeout_s: float = EDITOR_TIMEOUT_S


@dataclass(frozen=True)
class ModelSpec:
    model: str = EMBEDDED_MODEL_ID
    device: str = "auto"
    allow_download: bool = False
    precision: Precision = "fp32"
    allow_pickle: bool = False
    runtime: RuntimeSetting = "auto"
    service: ServiceSpec | None = None

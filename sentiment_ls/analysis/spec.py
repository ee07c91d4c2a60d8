"""What identifies a loaded model: changing any of these means loading again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sentiment_ls.embedded import EMBEDDED_MODEL_ID

Precision = Literal["int8", "fp32"]
# Which runtime runs the model: `auto` lets the model decide (onnxruntime where it has an
# ONNX export, torch otherwise).
RuntimeSetting = Literal["auto", "onnxruntime", "torch"]


@dataclass(frozen=True)
class ModelSpec:
    model: str = EMBEDDED_MODEL_ID
    device: str = "auto"
    allow_download: bool = False
    precision: Precision = "fp32"
    allow_pickle: bool = False
    runtime: RuntimeSetting = "auto"

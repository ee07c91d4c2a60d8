"""The PyTorch runtime: a transformers `PreTrainedModel` (an optional install, the
`sentiment-ls[torch]` extra).

It runs any sequence-classification checkpoint, and it is what the gradient attribution
methods differentiate. Rows run under `torch.inference_mode()` (no autograd bookkeeping).
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from sentiment_ls.analysis.runtimes import FloatArray, IdArray, LocalRuntime, Purpose

if TYPE_CHECKING:
    from transformers import PreTrainedModel


@dataclass(frozen=True)
class TorchModel:
    """What the gradient methods need: the float model and where it runs."""

    model: PreTrainedModel
    device: torch.device


class TorchRuntime(LocalRuntime):
    name = "torch"

    def __init__(self, model: TorchModel, fast_model: torch.nn.Module | None = None) -> None:
        self.torch_model = model
        # What verdicts run: `model` itself, or an int8 copy of it. Occlusion and the
        # gradient methods always use `model`.
        self._fast_model = fast_model

    @property
    def where(self) -> str:
        return str(self.torch_model.device)

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        device = self.torch_model.device
        ids = torch.from_numpy(input_ids).to(device)
        model = self._fast_model if purpose == "verdict" and self._fast_model else None
        model = model or self.torch_model.model
        with torch.inference_mode(), _occlusion_precision(device, purpose):
            output = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
        result: FloatArray = output.float().cpu().numpy().astype(np.float32, copy=False)
        return result


def resolve_device(requested: str) -> tuple[torch.device, str | None]:
    """The torch device for a `device` setting, and a warning when it had to fall back."""
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps is not None and mps.is_available())
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda"), None
        return torch.device("mps" if mps_ok else "cpu"), None
    if requested == "cuda" and not torch.cuda.is_available():
        return torch.device("cpu"), "device `cuda` is not available here; using the CPU"
    if requested == "mps" and not mps_ok:
        return torch.device("cpu"), "device `mps` is not available here; using the CPU"
    return torch.device(requested), None


def configure_threads() -> None:
    """Leave one core to the LSP event loop: with every core busy in torch, latency of the
    whole server jumped 10-30x in measurements on a 2-core machine."""
    cores = os.cpu_count() or 1
    torch.set_num_threads(max(1, cores - 1))


def use_threads(count: int) -> None:
    """A batch run's setting (`check`): every core, nothing else waits."""
    torch.set_num_threads(count)


def prepare(model: PreTrainedModel, device: torch.device) -> TorchModel:
    """Onto the device, in eval mode. Served, never trained: the gradient attribution
    methods differentiate with respect to the embeddings only, and weight gradients would
    double the cost of their backward pass."""
    configure_threads()
    model.to(device)
    model.eval()
    model.requires_grad_(False)
    return TorchModel(model, device)


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of `model` with int8 weights (one scale per output channel) and dynamically
    quantized activations in its linear layers, for the CPU.

    Measured on the SST-2 model and validation set: per-tensor scales lost 0.68 points of
    accuracy (0.9338 vs 0.9406), per-channel scales 0.01 (0.9405) at the same speed, about
    1.7x fp32. It is not the default: activations get one dynamic scale per batch, so a
    sentence's logits depend on the sentences batched with it (by up to several nats for
    occlusion variants), and the same sentence could be flagged in a document and not alone.
    torch 2.13 marks `quantize_dynamic` deprecated in favour of torchao, but
    torchao 0.18's int8 configs ran no faster than fp32 on this CPU (339 vs 336 sentences/s)."""
    import copy
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():
        # The deprecation notices are torch's plans, not the user's problem.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        quantized: torch.nn.Module = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            copy.deepcopy(model), {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
    return quantized


@functools.cache
def native_bfloat16() -> bool:
    """Whether this processor multiplies bfloat16 matrices in hardware; emulated bfloat16 is
    slower than float32, so it is used only here."""
    capabilities = getattr(torch.cpu, "get_capabilities", None)
    if capabilities is None:  # older torch: no way to tell, stay exact
        return False
    found = capabilities()
    return bool(found.get("amx_bf16") or found.get("avx512_bf16"))


def _occlusion_precision(
    device: torch.device, purpose: Purpose
) -> contextlib.AbstractContextManager[None]:
    """Occlusion variants run in bfloat16 where the processor has it natively: about twice
    as fast as float32, and ranking words as float32 does (bench/RESULTS.md)."""
    if purpose == "occlusion" and device.type == "cpu" and native_bfloat16():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()

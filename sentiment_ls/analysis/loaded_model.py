"""A loaded model, whichever runtime serves it: its tokenizer, its runtime's logits, its
labels and limits, and how to build its PyTorch model for the gradient attribution methods.
Each runtime's loader (runtimes/ort.py, runtimes/hf.py, runtimes/remote.py) makes one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tokenizers import Tokenizer

from sentiment_ls.analysis.runtimes import ExtraMissing, Runtime, torch_missing
from sentiment_ls.extras import torch_available

if TYPE_CHECKING:
    from sentiment_ls.analysis.runtimes.torch_runtime import TorchModel


@dataclass(frozen=True)
class LoadedModel:
    model_id: str
    tokenizer: Tokenizer  # from `preprocess.windowing_tokenizer`: windows of `max_length`
    runtime: Runtime
    id2label: dict[int, str]
    max_length: int
    problem_type: str | None
    pad_id: int
    warnings: tuple[str, ...] = ()  # fallbacks the user should hear about
    precision: str = "fp32"
    # Batches the forward stage runs at once (a batch run on onnxruntime: one per core, each
    # on one thread; the runtime's `logits` is then called from that many threads).
    workers: int = 1
    # The PyTorch model that the gradient attribution methods differentiate, built on first
    # use (an onnxruntime-served model has none until then); None: this model has none.
    load_torch_model: Callable[[], TorchModel] | None = field(default=None, compare=False)
    _torch: dict[str, TorchModel] = field(default_factory=dict, compare=False, repr=False)

    @property
    def labels(self) -> list[str]:
        return [self.id2label[i] for i in sorted(self.id2label)]

    @property
    def where(self) -> str:
        return f"{self.runtime.name} on {self.runtime.where}"

    def torch_model(self, purpose: str) -> TorchModel:
        """The PyTorch model, loading it on first use; `purpose` names the feature in the
        error raised when torch is not installed or the model has no PyTorch weights."""
        if "model" not in self._torch:
            if not torch_available():
                raise torch_missing(purpose)
            if self.load_torch_model is None:
                raise ExtraMissing(
                    f"{purpose} needs PyTorch weights, and {self.model_id!r} has none"
                )
            self._torch["model"] = self.load_torch_model()
        return self._torch["model"]

    def replaced(self, *, warnings: tuple[str, ...], runtime: Runtime | None = None) -> LoadedModel:
        """A copy with other warnings (and runtime), sharing the PyTorch model built so far."""
        return dataclasses.replace(
            self, runtime=runtime or self.runtime, warnings=warnings, _torch=self._torch
        )

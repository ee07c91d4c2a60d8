"""Stage 2 of the pipeline, the model, behind one seam: a runtime turns rows of input ids into
logits. Three implement it: onnxruntime (the default for the embedded model and for any folder
with an ONNX export), PyTorch through transformers (any Hub checkpoint, and the gradient
attribution methods), and remote (a team service speaking the Open Inference Protocol v2,
with the local model as its fallback). Each is one module and one line in
`model_loading.LOADERS`.

A runtime may also take rows of different lengths at once (`logits_of_rows`, the remote one
does: one request per chunk rather than one per length); the forward stage then hands it a
whole chunk instead of batching by length itself.
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

# What the logits are for. `verdict`: a sentence's scores, on the runtime's configured
# precision. `exact`: the float weights. `occlusion`: attribution variants, which only ever
# compare with each other, so a runtime may trade exactness for speed there (torch: bfloat16
# where the processor has it natively) but never batch-dependence (never the int8 copy).
Purpose = Literal["verdict", "exact", "occlusion"]

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


class Runtime(Protocol):
    @property
    def name(self) -> str:
        """ "onnxruntime" or "torch": logs, benchmarks and tests say which ran."""
        ...

    @property
    def where(self) -> str:
        """The device, for the log: "cpu", "cuda", ..."""
        ...

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        """Float32 logits, one row per row of `input_ids`. Every row has the same length
        (the forward stage batches by length): no padding, an attention mask of ones."""
        ...


class ExtraMissing(RuntimeError):
    """A feature needs an optional part of sentiment-ls that is not installed."""


TORCH_EXTRA = "sentiment-ls[torch]"


def torch_missing(what: str) -> ExtraMissing:
    return ExtraMissing(
        f"{what} needs PyTorch and transformers, which are not installed: "
        f"install them with `pip install '{TORCH_EXTRA}'`"
    )

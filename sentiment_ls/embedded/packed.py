"""The embedded model's weights as the package ships them: one safetensors file, small.

Every tensor of the fine-tuned `BertForSequenceClassification` state dict is stored in float16,
except the word embeddings (30,522 x 384, half the model), stored as int8 with one float32
scale per row. Both are weight-only roundings fixed at packing time: inference runs in float32
on the unpacked values, so a sentence's scores never depend on what it is batched with. The
packed file is about 34 MB against 91 MB in float32, under the repository's 40 MB budget.

Reading needs numpy and safetensors only (no torch), so every runtime loads the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

PACKED_WEIGHTS = "model.safetensors"
ROW_QUANTIZED = ("bert.embeddings.word_embeddings.weight",)
SCALE_SUFFIX = ".scale"

FloatArray = npt.NDArray[np.float32]


def pack(state: Mapping[str, FloatArray]) -> dict[str, npt.NDArray[np.generic]]:
    """The packed tensors of a float32 state dict (numpy arrays)."""
    packed: dict[str, npt.NDArray[np.generic]] = {}
    for name, value in state.items():
        array = np.asarray(value, dtype=np.float32)
        if name in ROW_QUANTIZED:
            scale = np.abs(array).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            packed[name] = np.clip(np.rint(array / scale[:, None]), -127, 127).astype(np.int8)
            packed[name + SCALE_SUFFIX] = scale.astype(np.float32)
        elif np.issubdtype(array.dtype, np.floating):
            packed[name] = array.astype(np.float16)
    return packed


def unpack(packed: Mapping[str, npt.NDArray[np.generic]]) -> dict[str, FloatArray]:
    """Float32 tensors under their state-dict names."""
    state: dict[str, FloatArray] = {}
    for name, value in packed.items():
        if name.endswith(SCALE_SUFFIX):
            continue
        if name in ROW_QUANTIZED:
            scale = np.asarray(packed[name + SCALE_SUFFIX], dtype=np.float32)
            state[name] = value.astype(np.float32) * scale[:, None]
        else:
            state[name] = value.astype(np.float32)
    return state


def write_packed(state: Mapping[str, FloatArray], folder: Path) -> Path:
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PACKED_WEIGHTS
    save_file(pack(state), str(path), metadata={"format": "sentiment-ls-packed-1"})
    return path


def read_packed(path: Path) -> dict[str, FloatArray]:
    """The float32 state dict of a packed file; raises ValueError for any other file."""
    from safetensors import safe_open
    from safetensors.numpy import load_file

    with safe_open(str(path), framework="np") as handle:
        metadata = handle.metadata() or {}
    if metadata.get("format") != "sentiment-ls-packed-1":
        raise ValueError(f"{path} is not a packed sentiment-ls weights file")
    return unpack(load_file(str(path)))

"""One copy of the model in a service replica: rows of token ids in, logits out.

Rows from all the requests of a batch are grouped by exact length and run unpadded, as the
local forward stage does, so that the service's logits for a row equal the local runtime's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentiment_ls.analysis.model_loading import LoadedModel, load_model, onnx_folder
from sentiment_ls.analysis.runtimes import FloatArray, IdArray
from sentiment_ls.embedded.base import sha256_of
from sentiment_ls.serve import MODEL_NAME
from sentiment_ls.serve.protocol import ModelCard

ROWS_PER_RUN = 64


def weights_sha256(spec: str) -> str | None:
    """The sha256 of the file holding a model's weights, which client and service compare."""
    folder = onnx_folder(spec)
    if folder is None:
        folder = Path(spec).expanduser()
    for name in ("model.safetensors", "model.onnx"):
        if (folder / name).is_file():
            return sha256_of(folder / name)
    return None


class ModelHost:
    def __init__(self, spec: str) -> None:
        self.loaded: LoadedModel = load_model(spec, device="cpu", runtime="onnxruntime")
        self.card = ModelCard(
            MODEL_NAME,
            spec,
            tuple(self.loaded.labels),
            weights_sha256(spec),
            self.loaded.max_length,
        )
        self.vocabulary = int(self.loaded.tokenizer.get_vocab_size(with_added_tokens=True))

    def run(self, requests: Sequence[Sequence[IdArray]]) -> list[FloatArray]:
        """Logits for each request's rows, each request's in its rows' order."""
        flat = [(r, i) for r, rows in enumerate(requests) for i in range(len(rows))]
        by_length: dict[int, list[tuple[int, int]]] = {}
        for r, i in flat:
            by_length.setdefault(len(requests[r][i]), []).append((r, i))
        labels = len(self.loaded.id2label)
        out = [np.empty((len(rows), labels), dtype=np.float32) for rows in requests]
        for length in sorted(by_length):
            members = by_length[length]
            for start in range(0, len(members), ROWS_PER_RUN):
                chunk = members[start : start + ROWS_PER_RUN]
                ids = np.stack([requests[r][i] for r, i in chunk]).reshape(len(chunk), length)
                logits = self.loaded.runtime.logits(ids.astype(np.int64, copy=False))
                for (r, i), row in zip(chunk, logits, strict=True):
                    out[r][i] = row
        return out

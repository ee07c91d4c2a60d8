"""One copy of the model in a service replica: rows of token ids in, logits out.

Rows from all the requests of a batch are grouped by exact length and run unpadded, as the
local forward stage does, so that the service's logits for a row equal the local runtime's.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import weights_sha256
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, logits_by_length
from sentiment_ls.analysis.runtimes.inference_protocol import MODEL_NAME, ModelCard

ROWS_PER_RUN = 64


class ModelHost:
    def __init__(self, model: str) -> None:
        request = LoadRequest(model=model, device="cpu", runtime="onnxruntime")
        self.loaded: LoadedModel = load_model(request)
        self.card = ModelCard(
            MODEL_NAME,
            model,
            tuple(self.loaded.labels),
            weights_sha256(model),
            self.loaded.max_length,
        )
        self.vocabulary = int(self.loaded.tokenizer.get_vocab_size(with_added_tokens=True))

    def run(self, requests: Sequence[Sequence[IdArray]]) -> list[FloatArray]:
        """Logits for each request's rows, each request's in its rows' order."""
        rows = [row.astype(np.int64, copy=False) for request in requests for row in request]
        logits = logits_by_length(self.loaded.runtime.logits, rows, batch_size=ROWS_PER_RUN)
        bounds = np.cumsum([0, *(len(request) for request in requests)])
        labels = len(self.loaded.id2label)
        return [
            logits[start:end] if end > start else np.empty((0, labels), dtype=np.float32)
            for start, end in itertools.pairwise(bounds)
        ]

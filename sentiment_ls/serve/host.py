"""One copy of the model in a service replica: rows of token ids in, logits out.

Rows from all the requests of a batch are grouped by exact length and run unpadded, as the
local forward stage does, so that the service's logits for a row equal the local runtime's.
Sentences sent as text go through the served model's own tokenizer stage first
(`analysis/preprocess.py`): a sentence longer than the model reads is cut into overlapping
windows whose logits are averaged, as the local pipeline does, so that the service's
probabilities for a sentence equal this model's run locally.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import model_title, tokenizer_sha256, weights_sha256
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, logits_by_length
from sentiment_ls.analysis.runtimes.inference_messages import ModelCard
from sentiment_ls.analysis.runtimes.inference_protocol import MODEL_NAME, Limits, ProtocolError

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
            tokenizer_sha256(model),
            model_title(model),
            reads_text=True,
        )
        self.vocabulary = int(self.loaded.tokenizer.get_vocab_size(with_added_tokens=True))

    def windows(self, texts: Sequence[str], limits: Limits) -> tuple[list[IdArray], list[int]]:
        """The rows of sentences sent as text, and how many windows each has;
        ProtocolError (413) past the tokens a request may hold."""
        encodings = [encode(self.loaded.tokenizer, text) for text in texts]
        rows = [np.asarray(w, dtype=np.int64) for e in encodings for w in e.windows]
        tokens = sum(len(row) for row in rows)
        if tokens > limits.max_tokens:
            raise ProtocolError(
                413, f"{tokens} tokens in one request once tokenized; at most {limits.max_tokens}"
            )
        return rows, [len(e.windows) for e in encodings]

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

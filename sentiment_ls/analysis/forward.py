"""Stage 2 of the pipeline, the model: input ids -> logits, through the model's runtime.

Rows are batched by exact length, never padded: a row's logits then depend on nothing but
the row, whatever else is in the document (deterministic scores, checked by a test), and no
compute is spent on padding. Sorting by length keeps batches full in a long document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sentiment_ls.analysis.model_loading import LoadedModel
from sentiment_ls.analysis.runtimes import FloatArray, Purpose
from sentiment_ls.analysis.scheduling import Cancelled

DEFAULT_BATCH_SIZE = 32


def forward(
    loaded: LoadedModel,
    rows: Sequence[Sequence[int]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
    purpose: Purpose = "verdict",
    progress: Callable[[int], None] | None = None,
) -> FloatArray:
    """Float32 logits for every row of input ids, in the rows' order; `progress` hears how
    many rows each batch ran."""
    by_length: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        by_length.setdefault(len(row), []).append(index)
    logits = np.empty((len(rows), len(loaded.id2label)), dtype=np.float32)
    for length in sorted(by_length):
        indices = by_length[length]
        for start in range(0, len(indices), batch_size):
            if should_stop is not None and should_stop():
                raise Cancelled
            chunk = indices[start : start + batch_size]
            ids = np.array([rows[i] for i in chunk], dtype=np.int64).reshape(len(chunk), length)
            logits[chunk] = loaded.runtime.logits(ids, purpose)
            if progress is not None:
                progress(len(chunk))
    return logits

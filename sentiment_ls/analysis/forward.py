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
    many rows each batch ran. A model loaded for a batch run (`workers` > 1) runs that many
    batches at once, each on one core: the same batches, so the same logits."""
    ragged = getattr(loaded.runtime, "logits_of_rows", None)
    if ragged is not None and rows:
        # A runtime that takes rows of any lengths at once (the remote one: one request
        # for a document's chunk, not one per length) batches them itself.
        if should_stop is not None and should_stop():
            raise Cancelled
        result: FloatArray = ragged(rows, purpose)
        if progress is not None:
            progress(len(rows))
        return result
    by_length: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        by_length.setdefault(len(row), []).append(index)
    logits = np.empty((len(rows), len(loaded.id2label)), dtype=np.float32)
    chunks = [
        indices[start : start + batch_size]
        for length in sorted(by_length)
        for indices in [by_length[length]]
        for start in range(0, len(indices), batch_size)
    ]

    def run(chunk: list[int]) -> FloatArray:
        ids = np.array([rows[i] for i in chunk], dtype=np.int64).reshape(len(chunk), -1)
        return loaded.runtime.logits(ids, purpose)

    if loaded.workers > 1 and should_stop is None and len(chunks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(loaded.workers, thread_name_prefix="sentiment-ls-batch") as pool:
            for chunk, values in zip(chunks, pool.map(run, chunks), strict=True):
                logits[chunk] = values
                if progress is not None:
                    progress(len(chunk))
        return logits
    for chunk in chunks:
        if should_stop is not None and should_stop():
            raise Cancelled
        logits[chunk] = run(chunk)
        if progress is not None:
            progress(len(chunk))
    return logits

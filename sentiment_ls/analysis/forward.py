"""Stage 2 of the pipeline, the model: input ids -> logits, through the model's runtime.

Rows are batched by exact length, never padded (`runtimes.by_length`): a row's logits then
depend on nothing but the row, whatever else is in the document (deterministic scores,
checked by a test), and no compute is spent on padding. A runtime that takes rows of mixed
lengths at once (the remote one) gets the whole chunk in one call instead.

Sentences (`forward_sentences`) go through the same rows, one or more windows each, their
logits averaged per sentence; a runtime that may answer with another model (a team service,
`runtimes.SentenceRuntime`) gets the sentences whole, text and windows, and says who answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.runtimes import (
    BATCH_SIZE,
    Answer,
    FloatArray,
    Purpose,
    SentenceRuntime,
    by_length,
    mean_of_windows,
)
from sentiment_ls.analysis.scheduling import Cancelled


def forward(
    loaded: LoadedModel,
    rows: Sequence[Sequence[int]],
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
    purpose: Purpose = "verdict",
    progress: Callable[[int], None] | None = None,
) -> FloatArray:
    """Float32 logits for every row of input ids, in the rows' order; `progress` hears how
    many rows each batch ran. A model loaded for a batch run (`workers` > 1) runs that many
    batches at once, each on one core: the same batches, so the same logits."""
    runtime = loaded.runtime
    if runtime.mixed_lengths:
        batches = [list(range(len(rows)))] if rows else []
    else:
        batches = by_length([len(row) for row in rows], batch_size)
    logits = np.empty((len(rows), len(loaded.id2label)), dtype=np.float32)

    def run(batch: list[int]) -> FloatArray:
        return runtime.logits_of_rows([rows[i] for i in batch], purpose)

    if loaded.workers > 1 and should_stop is None and len(batches) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(loaded.workers, thread_name_prefix="sentiment-ls-batch") as pool:
            for batch, values in zip(batches, pool.map(run, batches), strict=True):
                logits[batch] = values
                if progress is not None:
                    progress(len(batch))
        return logits
    for batch in batches:
        if should_stop is not None and should_stop():
            raise Cancelled
        logits[batch] = run(batch)
        if progress is not None:
            progress(len(batch))
    return logits


def forward_sentences(
    loaded: LoadedModel,
    texts: Sequence[str],
    windows: Sequence[Sequence[Sequence[int]]],
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[FloatArray, str | None]:
    """Each sentence's logits (the mean of its windows'), and which model answered where a
    team service may have (None: the local model, the only one). `progress` hears, batch by
    batch, how many sentences were done (a long sentence's windows count as parts of one)."""
    runtime = loaded.runtime
    if isinstance(runtime, SentenceRuntime):
        answer: Answer = runtime.sentence_logits(texts, windows)
        if progress is not None:
            progress(len(texts))
        return answer.logits, answer.source
    rows = [window for sentence in windows for window in sentence]
    per_row = len(texts) / max(1, len(rows))
    logits = forward(
        loaded,
        rows,
        should_stop=should_stop,
        progress=(lambda done: progress(done * per_row)) if progress else None,
    )
    return mean_of_windows(logits, [len(sentence) for sentence in windows]), None

"""Stage 2 of the pipeline, the model: input ids -> logits.

Rows are sorted by length before batching so that padding stays small, and run under
`torch.inference_mode()` (no autograd bookkeeping).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from sentiment_ls.analysis.model_loading import LoadedModel
from sentiment_ls.analysis.preprocess import collate
from sentiment_ls.analysis.scheduling import Cancelled

DEFAULT_BATCH_SIZE = 32


def forward(
    loaded: LoadedModel,
    rows: Sequence[Sequence[int]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor:
    """Logits for every row of input ids, in the rows' order, as a float32 CPU tensor."""
    pad_id = loaded.tokenizer.pad_token_id
    pad_id = 0 if pad_id is None else int(pad_id)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    logits = torch.empty((len(rows), len(loaded.id2label)), dtype=torch.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            if should_stop is not None and should_stop():
                raise Cancelled
            chunk = order[start : start + batch_size]
            batch = collate([rows[i] for i in chunk], pad_id, loaded.device)
            output = loaded.inference_model(**batch).logits.float().cpu()
            logits[torch.tensor(chunk)] = output
    return logits

"""Stage 2 of the pipeline, the model, behind one seam: a runtime turns rows of input ids into
logits. Three implement it: onnxruntime (the default for the embedded model and for any folder
with an ONNX export), PyTorch through transformers (any Hub checkpoint, and the gradient
attribution methods), and remote (a team service speaking the Open Inference Protocol v2,
with the local model as its fallback). Each runtime's loader is in its module
(`ort.load_onnx`, `hf.load_torch`, `remote.load_remote`): a local one is one line in
`model_loading.LOADERS`; the remote one wraps the local model that `load_model` loaded.

Rows run unpadded, batched by exact length (`by_length`): a row's logits then depend on
nothing but the row, whatever else is in its batch. A runtime says whether the forward stage
should batch rows so before handing them over (`mixed_lengths` False: the local runtimes, so
that a long job can stop and report progress between batches), or hand it a whole chunk of
rows of any lengths at once (the remote one: one request per chunk, not one per length).

A runtime that may answer with another model than the local one (a team service, whose model
may read text with its own tokenizer) is a `SentenceRuntime`: the forward stage hands it
whole sentences, their text beside the local windows, and it says who answered.
"""

from __future__ import annotations

import abc
import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

# What the logits are for. `verdict`: a sentence's scores, on the runtime's configured
# precision. `exact`: the float weights. `occlusion`: attribution variants, which only ever
# compare with each other, so a runtime may trade exactness for speed there (torch: bfloat16
# where the processor has it natively) but never batch-dependence (never the int8 copy).
Purpose = Literal["verdict", "exact", "occlusion"]

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
BATCH_SIZE = 32  # rows per forward pass on a local runtime


class Runtime(Protocol):
    @property
    def name(self) -> str:
        """ "onnxruntime" or "torch": logs, benchmarks and tests say which ran."""
        ...

    @property
    def where(self) -> str:
        """The device, for the log: "cpu", "cuda", ..."""
        ...

    @property
    def mixed_lengths(self) -> bool:
        """Whether `logits_of_rows` should get a whole chunk of rows of any lengths in one
        call; False: the forward stage batches them by exact length first."""
        ...

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        """Float32 logits, one row per row of `input_ids`. Every row has the same length
        (the forward stage batches by length): no padding, an attention mask of ones."""
        ...

    def logits_of_rows(
        self, rows: Sequence[Sequence[int]], purpose: Purpose = "verdict"
    ) -> FloatArray:
        """Float32 logits of rows of any lengths, in their order."""
        ...


@dataclass(frozen=True)
class Answer:
    """Logits of whole sentences, one row each, and which model gave them."""

    logits: FloatArray
    source: str  # "team service: NAME", "local fallback"


@runtime_checkable
class SentenceRuntime(Protocol):
    @property
    def answering(self) -> str:
        """Which model would answer now (an `Answer.source`)."""
        ...

    def sentence_logits(
        self, texts: Sequence[str], windows: Sequence[Sequence[Sequence[int]]]
    ) -> Answer:
        """Each sentence's logits: from its text, or from its windows (the local tokenizer's
        ids), whichever the answering model reads."""
        ...


def mean_of_windows(logits: FloatArray, counts: Sequence[int]) -> FloatArray:
    """One row per sentence from the logits of its windows (`counts` of them, in order): a
    long sentence's windows vote equally, the mean of their logits."""
    bounds = np.cumsum([0, *counts])
    rows = [logits[start:end].mean(axis=0) for start, end in itertools.pairwise(bounds)]
    return np.asarray(rows, dtype=np.float32).reshape(len(counts), logits.shape[1])


def by_length(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """The indices of rows of these lengths in batches of one exact length, at most
    `batch_size` each, shortest first, each batch in the rows' order (sorting by length
    keeps batches full in a long document)."""
    groups: dict[int, list[int]] = {}
    for index, length in enumerate(lengths):
        groups.setdefault(length, []).append(index)
    return [
        members[start : start + batch_size]
        for length in sorted(groups)
        for members in [groups[length]]
        for start in range(0, len(members), batch_size)
    ]


def logits_by_length(
    logits: Callable[[IdArray, Purpose], FloatArray],
    rows: Sequence[Sequence[int]] | Sequence[IdArray],
    purpose: Purpose = "verdict",
    batch_size: int = BATCH_SIZE,
) -> FloatArray:
    """`logits` of rows of any lengths: one call per batch of `by_length`."""
    out: FloatArray | None = None
    for batch in by_length([len(row) for row in rows], batch_size):
        ids = np.array([rows[i] for i in batch], dtype=np.int64).reshape(len(batch), -1)
        values = logits(ids, purpose)
        if out is None:
            out = np.empty((len(rows), values.shape[1]), dtype=np.float32)
        out[batch] = values
    return out if out is not None else np.empty((0, 0), dtype=np.float32)


class LocalRuntime(abc.ABC):
    """What the local runtimes share: rows of mixed lengths batched by exact length."""

    mixed_lengths = False

    @abc.abstractmethod
    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray: ...

    def logits_of_rows(
        self, rows: Sequence[Sequence[int]], purpose: Purpose = "verdict"
    ) -> FloatArray:
        return logits_by_length(self.logits, rows, purpose)


def physical_cores() -> int:
    """The physical cores this process may run on: logical CPUs in its affinity mask, with
    hyperthread siblings counted once (Linux's sysfs topology; elsewhere the logical count).
    onnxruntime's own default is cores - 1 here, which left one of two cores idle."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
    cores = set()
    for cpu in allowed:
        siblings = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
        try:
            cores.add(siblings.read_text().strip())
        except OSError:
            cores.add(str(cpu))
    return max(1, len(cores))


class ExtraMissing(RuntimeError):
    """A feature needs an optional part of sentiment-ls that is not installed."""


TORCH_EXTRA = "sentiment-ls[torch]"


def torch_missing(what: str) -> ExtraMissing:
    return ExtraMissing(
        f"{what} needs PyTorch and transformers, which are not installed: "
        f"install them with `pip install '{TORCH_EXTRA}'`"
    )

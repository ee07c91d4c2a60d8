"""The onnxruntime runtime: an ONNX graph on the CPU, no torch.

Two forms of model load here. A self-contained export (`model.onnx`, as optimum writes it)
is opened as it is. A graph-only export (`model.graph.onnx`, as `sentiment-ls export-onnx`
writes it) holds the operators and no weights: each initializer is named after its tensor in
the state dict and marked as external data, and its values are handed to the session from
the safetensors file beside it (`SessionOptions.add_external_initializers`). The embedded
model ships this way, so its weights exist once in the repository (the packed file, read the
same way by the torch path). onnxruntime copies the values into the session, so the arrays
are dropped once it is built.

Threads: in the server, one intra-op thread per core but one, as the torch runtime does (its
two model workers call `run` side by side, and the event loop keeps a core). A batch run
(`check`, `eval`) opens the session with one intra-op thread and calls `run` from one thread
per physical core (`LoadedModel.workers`, analysis/forward.py). On this 2-core machine with a
training job beside it, 2,000 sentences took 8.1 s on one thread, 9.0 s as 2 workers x 1
thread and 15.2 s with 2 intra-op threads (their pool waits on a busy core for every
operator); idle, 2 intra-op threads took 6.7 s against 12.3 s (issue 18).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sentiment_ls.analysis.runtimes import FloatArray, IdArray, Purpose

GRAPH_ONLY = "model.graph.onnx"
SELF_CONTAINED = "model.onnx"
# Where a graph-only export says its initializers are: a file that must never exist, so that
# onnxruntime can only get them from the session options.
SUPPLIED_AT_LOAD = "supplied-by-sentiment-ls-at-load"


THREADS_ENV = "SENTIMENT_LS_THREADS"


def default_threads() -> int:
    """One per core but one; a service replica says its share in SENTIMENT_LS_THREADS."""
    given = os.environ.get(THREADS_ENV, "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    return max(1, (os.cpu_count() or 1) - 1)


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


class OnnxRuntime:
    name = "onnxruntime"
    where = "cpu"

    def __init__(self, session: Any) -> None:
        self._session = session
        inputs = {i.name for i in session.get_inputs()}
        self._wants_mask = "attention_mask" in inputs
        self._wants_types = "token_type_ids" in inputs
        outputs = [o.name for o in session.get_outputs()]
        self._output = "logits" if "logits" in outputs else outputs[0]

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        feeds = {"input_ids": input_ids}
        if self._wants_mask:
            feeds["attention_mask"] = np.ones_like(input_ids)
        if self._wants_types:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (output,) = self._session.run([self._output], feeds)
        return np.asarray(output, dtype=np.float32)


def open_session(
    graph: Path,
    weights: Mapping[str, npt.NDArray[np.generic]] | None = None,
    threads: int | None = None,
) -> OnnxRuntime:
    """A session on `graph`; `weights` are the initializers of a graph-only export."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about unused initializers are not the user's
    # Every batch has its own shape (rows x tokens). With the default arena and memory
    # patterns the server's working memory grew to the largest shape seen and stayed there:
    # 250 random shapes took the process from 208 to 248 MB (to 302 MB with longer rows);
    # with neither, it stayed at 208-216 MB and ran as fast (11.2 s against 12.4 s). `check`
    # too: with glibc's mmap threshold left to adjust itself (only the server holds it, see
    # allocator.py) the buffers come from the heap, 0.06 s of kernel time for 2,000
    # sentences, and the arena measured no faster (issue 18).
    options.enable_mem_pattern = False
    options.enable_cpu_mem_arena = False
    values = []
    if weights is not None:
        names = list(weights)
        values = [ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(weights[n])) for n in names]
        options.add_external_initializers(names, values)
    try:
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph types
        raise ValueError(_explain(error, graph)) from error
    finally:
        del values  # copied into the session
    return OnnxRuntime(session)


def _explain(error: Exception, graph: Path) -> str:
    text = str(error)
    if "initializer" in text and (SUPPLIED_AT_LOAD in text or "Failed to find" in text):
        return (
            f"the ONNX graph {graph.name} does not fit the weights beside it ({text}); "
            "export it again with `sentiment-ls export-onnx`"
        )
    return f"onnxruntime cannot open {graph}: {text}"


def read_weights(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    """The initializers a graph-only export takes from a safetensors file. A packed file
    (the embedded model's) gives float32 tensors, except the row-quantized embedding tables,
    which stay int8 with their `.scale` rows: its graph dequantizes the rows it looks up. An
    ordinary Hugging Face `model.safetensors` (float32 or float16) gives float32 tensors."""
    from safetensors import safe_open
    from safetensors.numpy import load_file

    from sentiment_ls.embedded.packed import ROW_QUANTIZED, SCALE_SUFFIX

    with safe_open(str(path), framework="np") as handle:
        packed = (handle.metadata() or {}).get("format", "").startswith("sentiment-ls-packed")
    tensors = load_file(str(path))
    kept = {*ROW_QUANTIZED, *(name + SCALE_SUFFIX for name in ROW_QUANTIZED)} if packed else set()
    return {
        name: value if name in kept else value.astype(np.float32, copy=False)
        for name, value in tensors.items()
    }

"""The onnxruntime runtime: an ONNX graph on the CPU, no torch.

`load_onnx` loads a model that has an ONNX export (`model_files.onnx_folder`) onto it. Two
forms of export load here. A self-contained export (`model.onnx`, as optimum writes it)
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

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import GRAPH_ONLY, SELF_CONTAINED, onnx_folder
from sentiment_ls.analysis.preprocess import load_tokenizer
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError
from sentiment_ls.analysis.runtimes import (
    FloatArray,
    IdArray,
    LocalRuntime,
    Purpose,
    physical_cores,
)
from sentiment_ls.embedded import EMBEDDED_MODEL_ID

if TYPE_CHECKING:
    from sentiment_ls.analysis.runtimes.torch_runtime import TorchModel

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


class OnnxRuntime(LocalRuntime):
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


def load_onnx(request: LoadRequest) -> LoadedModel:
    folder = onnx_folder(request.model)
    assert folder is not None, "choose_runtime picks onnxruntime only for an ONNX export"
    config = _read_json(folder / "config.json")
    tokenizer_config = _read_json(folder / "tokenizer_config.json", required=False)
    id2label = {int(k): str(v) for k, v in config.get("id2label", {"0": "LABEL_0"}).items()}
    max_length = _max_length(config, tokenizer_config)
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ModelLoadError(f"the folder {folder} has no tokenizer.json")
    tokenizer = load_tokenizer(tokenizer_file, max_length)
    # A batch run: one single-threaded run per physical core, side by side (onnxruntime's
    # `run` is thread-safe and releases the GIL): 2 workers x 1 thread measured faster than
    # 1 x 2 intra-op threads, which split each small matrix product between cores.
    workers = physical_cores() if request.batch else 1
    threads = 1 if request.batch else None
    try:
        if (folder / GRAPH_ONLY).is_file():
            weights = read_weights(folder / "model.safetensors")
            runtime = open_session(folder / GRAPH_ONLY, weights, threads=threads)
        else:
            runtime = open_session(folder / SELF_CONTAINED, threads=threads)
    except (ValueError, OSError) as error:
        raise ModelLoadError(f"cannot load the model {request.model!r}: {error}") from error
    pad_token = str(tokenizer_config.get("pad_token") or "[PAD]")
    pad_id = config.get("pad_token_id")
    if pad_id is None:
        pad_id = tokenizer.token_to_id(pad_token)
    return LoadedModel(
        model_id=request.model,
        tokenizer=tokenizer,
        runtime=runtime,
        id2label=id2label,
        max_length=max_length,
        problem_type=config.get("problem_type"),
        pad_id=int(pad_id or 0),
        workers=workers,
        load_torch_model=_torch_model_of_onnx_folder(request, folder),
    )


def _torch_model_of_onnx_folder(
    request: LoadRequest, folder: Path
) -> Callable[[], TorchModel] | None:
    """How to build the same model in PyTorch, for the gradient methods."""
    if request.model != EMBEDDED_MODEL_ID and not any(folder.glob("*.safetensors")):
        return None

    def build() -> TorchModel:
        from sentiment_ls.analysis.runtimes import torch_runtime
        from sentiment_ls.analysis.runtimes.hf import load_hf

        model, _ = load_hf(request)
        device, _ = torch_runtime.resolve_device("cpu")
        return torch_runtime.prepare(model, device)

    return build


def _read_json(path: Path, required: bool = True) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise ModelLoadError(f"the folder {path.parent} has no {path.name}: it is not a model")
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot read {path}: {error}") from error
    if not isinstance(found, dict):
        raise ModelLoadError(f"{path} is not a JSON object")
    return found


def _max_length(config: dict[str, Any], tokenizer_config: dict[str, Any]) -> int:
    limit = int(config.get("max_position_embeddings") or 512)
    tokenizer_limit = tokenizer_config.get("model_max_length")
    if not isinstance(tokenizer_limit, int) or tokenizer_limit <= 0:
        tokenizer_limit = limit
    return min(limit, tokenizer_limit, 512)

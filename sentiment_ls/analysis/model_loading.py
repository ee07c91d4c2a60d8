"""Load a sequence-classification model: the embedded one, a local folder or a Hub id.

`load_model(request)` is the one entry. Which runtime serves the model is decided by the
model (`choose_runtime`): onnxruntime where an ONNX export exists (the embedded model, a
folder with `model.graph.onnx` or `model.onnx`), PyTorch through transformers otherwise. Each
runtime's loader lives in its runtime module, one line in `LOADERS`; a team service in the
request sends the forward passes to the `remote` runtime, the local model its fallback. All
give the same three stages: the `tokenizers` tokenizer, a runtime's logits, and
post-processing.

Safety rules: never `trust_remote_code`; safetensors (or ONNX) only unless the request allows
pickle weights; no network unless it allows downloads (Hub ids otherwise resolve from the
local Hugging Face cache alone).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_files import GRAPH_ONLY, SELF_CONTAINED, hub_snapshot, onnx_folder
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError, RuntimeName
from sentiment_ls.analysis.runtimes import torch_missing
from sentiment_ls.analysis.runtimes.hf import load_torch
from sentiment_ls.analysis.runtimes.ort import load_onnx
from sentiment_ls.analysis.runtimes.remote import load_remote
from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID
from sentiment_ls.extras import torch_available

# One line per local runtime: how a model is loaded onto it. (The `remote` runtime wraps the
# model loaded here: `load_remote`.)
LOADERS: dict[RuntimeName, Callable[[LoadRequest], LoadedModel]] = {
    "onnxruntime": load_onnx,
    "torch": load_torch,
}


def load_model(request: LoadRequest) -> LoadedModel:
    """Load `request.model` ("embedded", a folder or a Hub id) on the runtime
    `choose_runtime` picks; precision "int8" adds an int8 copy for inference where the device
    allows it; pickle weights only when allowed; a team service takes the forward passes
    (the `remote` runtime); `batch` for a command that uses every core."""
    refuse_missing(request)
    chosen, notes = choose_runtime(request)
    service = request.team_service
    if service is not None and service.mode != "off":
        # The fallback runs as the server's model does, one batch at a time.
        local = LOADERS[chosen](dataclasses.replace(request, batch=False))
        return load_remote(request, local.replaced(warnings=(*notes, *local.warnings)))
    loaded = LOADERS[chosen](request)
    if notes:
        return loaded.replaced(warnings=(*notes, *loaded.warnings))
    return loaded


def choose_runtime(request: LoadRequest) -> tuple[RuntimeName, list[str]]:
    """The runtime for a model and settings, and what the user should hear about the choice."""
    has_onnx = onnx_folder(request.model) is not None
    has_torch = torch_available()
    runtime = request.runtime
    if runtime == "torch" and not has_torch:
        missing = torch_missing("the `torch` runtime")
        if not has_onnx:
            raise ModelLoadError(str(missing))
        return "onnxruntime", [f"{missing}; running the model on onnxruntime"]
    if runtime == "onnxruntime" and not has_onnx:
        raise ModelLoadError(
            f"the model {request.model!r} has no ONNX export ({GRAPH_ONLY} or {SELF_CONTAINED}"
            " in its folder): set the runtime to `torch` or `auto`"
        )
    if runtime != "auto":
        return runtime, []
    if not has_onnx:
        if not has_torch:
            missing = torch_missing(f"the model {request.model!r} (no ONNX export)")
            raise ModelLoadError(str(missing))
        return "torch", []
    wants_torch = []
    if request.device in ("cuda", "mps"):
        wants_torch.append(f"device `{request.device}`")
    if request.precision == "int8":
        wants_torch.append("precision `int8`")
    if not wants_torch:
        return "onnxruntime", []
    if has_torch:
        return "torch", []
    missing = torch_missing(" and ".join(wants_torch))
    return "onnxruntime", [f"{missing}; running fp32 on the CPU with onnxruntime"]


def refuse_missing(request: LoadRequest) -> None:
    """Say at once that a model is nowhere to be found: neither embedded, nor a folder, nor
    in the local Hugging Face cache (with downloads off). Before any runtime is imported:
    transformers and torch took 17 s to say the same."""
    model = request.model
    if model in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID) or Path(model).expanduser().is_dir():
        return
    if Path(model).expanduser().exists():
        raise ModelLoadError(f"the model {model} is a file: give the folder that holds it")
    if model.startswith((".", "/", "~")):
        raise ModelLoadError(f"the model folder {model} does not exist")
    if not request.allow_download and hub_snapshot(model) is None:
        # Said before transformers tries: its own message speaks of failing to connect,
        # which reads as a network problem when no connection was ever attempted.
        raise ModelLoadError(
            f"the model {model!r} is not in the local Hugging Face cache, and downloads are "
            "off: set `sentimentLs.allowDownload` to true to fetch it from the Hub, or give "
            "the path of a local model folder"
        )

"""Checkpoints for the PyTorch runtime, through transformers: the embedded models, a local
folder or a Hub id, loaded onto the runtime by `load_torch`.

Safety rules: never `trust_remote_code`; safetensors only unless the caller allows pickle
weights; no network unless the caller allows downloads. A model that is nowhere to be found
was refused before this module is reached (`model_loading.refuse_missing`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError
from sentiment_ls.analysis.runtimes import physical_cores
from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def load_torch(request: LoadRequest) -> LoadedModel:
    from sentiment_ls.analysis.preprocess import windowing_tokenizer
    from sentiment_ls.analysis.runtimes import torch_runtime

    model, hf_tokenizer = load_hf(request)
    if not getattr(hf_tokenizer, "is_fast", False):
        raise ModelLoadError(
            f"the tokenizer of {request.model!r} has no fast (Rust) version: sentiment-ls "
            "needs its offset mapping to place tokens in the text"
        )
    device, warning = torch_runtime.resolve_device(request.device)
    prepared = torch_runtime.prepare(model, device)
    if request.batch:
        torch_runtime.use_threads(physical_cores())
    config = model.config
    warnings = [warning] if warning else []
    fast_model = None
    precision: str = request.precision
    if precision == "int8" and device.type == "cpu":
        fast_model = torch_runtime.quantize_int8(model)
    elif precision == "int8":
        warnings.append(f"int8 inference is for the CPU; running fp32 on {device.type}")
        precision = "fp32"
    limit = int(getattr(config, "max_position_embeddings", 512) or 512)
    tokenizer_limit = int(getattr(hf_tokenizer, "model_max_length", limit) or limit)
    max_length = min(limit, tokenizer_limit, 512)
    pad_id = hf_tokenizer.pad_token_id
    loaded = LoadedModel(
        model_id=request.model,
        tokenizer=windowing_tokenizer(hf_tokenizer.backend_tokenizer, max_length),
        runtime=torch_runtime.TorchRuntime(prepared, fast_model),
        id2label={int(k): str(v) for k, v in config.id2label.items()},
        max_length=max_length,
        problem_type=getattr(config, "problem_type", None),
        pad_id=0 if pad_id is None else int(pad_id),
        warnings=tuple(warnings),
        precision=precision,
    )
    loaded._torch["model"] = prepared
    return loaded


def load_hf(request: LoadRequest) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    if request.model in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID):
        from sentiment_ls.embedded import load_embedded, load_embedded_sst2

        try:
            if request.model == EMBEDDED_MODEL_ID:
                return load_embedded()
            return load_embedded_sst2()
        except (RuntimeError, OSError) as error:
            raise ModelLoadError(f"cannot load the {request.model} model: {error}") from error
    return _load_pretrained(request.model, request.allow_download, request.allow_pickle)


def _load_pretrained(
    model_id: str, allow_download: bool, allow_pickle: bool = False
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(model_id).expanduser()
    is_folder = folder.is_dir()
    if is_folder:
        if not (folder / "config.json").is_file():
            raise ModelLoadError(f"the folder {folder} has no config.json: it is not a model")
        _check_weights(folder, allow_pickle)
    source = str(folder) if is_folder else model_id
    local_only = is_folder or not allow_download
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            source, local_files_only=local_only, trust_remote_code=False
        )
        model = AutoModelForSequenceClassification.from_pretrained(
            source,
            local_files_only=local_only,
            trust_remote_code=False,
            # True: safetensors or nothing. None: transformers' choice, safetensors first.
            use_safetensors=None if allow_pickle else True,
        )
    except OSError as error:
        hint = ""
        if not allow_pickle and "safetensors" in str(error):
            hint = f" (pickle weights are refused: {_PICKLE_RISK})"
        raise ModelLoadError(f"cannot load the model {model_id!r}{hint}: {error}") from error
    return model, tokenizer


_PICKLE_RISK = (
    "unpickling runs whatever code the file holds; convert the weights to safetensors, or "
    "set `sentimentLs.allowPickle` to true if you trust their source"
)


def _check_weights(folder: Path, allow_pickle: bool) -> None:
    if any(folder.glob("*.safetensors")):
        return
    pickles = sorted(p.name for p in folder.glob("*.bin")) + sorted(
        p.name for p in folder.glob("*.pt")
    )
    if not pickles:
        raise ModelLoadError(f"the folder {folder} has no weights (no .safetensors file)")
    if not allow_pickle:
        raise ModelLoadError(
            f"the folder {folder} has only pickle weights ({', '.join(pickles)}), which are "
            f"refused: {_PICKLE_RISK}"
        )

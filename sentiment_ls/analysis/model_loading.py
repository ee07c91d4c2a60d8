"""Load a sequence-classification checkpoint: the embedded model, a local folder or a Hub id.

Safety rules: never `trust_remote_code`; safetensors only unless the caller allows pickle
weights; no network unless the caller allows downloads (Hub ids otherwise resolve from the
local Hugging Face cache alone).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class LoadedModel:
    model_id: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    id2label: dict[int, str]
    max_length: int
    problem_type: str | None
    warnings: tuple[str, ...] = ()  # fallbacks the user should hear about
    # What the forward stage runs: `model` itself, or an int8 copy of it. Gradient-based
    # explanations always use `model`: quantized layers have no backward pass.
    fast_model: torch.nn.Module | None = None
    precision: str = "fp32"

    @property
    def inference_model(self) -> torch.nn.Module:
        return self.fast_model if self.fast_model is not None else self.model

    @property
    def labels(self) -> list[str]:
        return [self.id2label[i] for i in sorted(self.id2label)]


def resolve_device(requested: str) -> tuple[torch.device, str | None]:
    """The torch device for a `device` setting, and a warning when it had to fall back."""
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps is not None and mps.is_available())
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda"), None
        return torch.device("mps" if mps_ok else "cpu"), None
    if requested == "cuda" and not torch.cuda.is_available():
        return torch.device("cpu"), "device `cuda` is not available here; using the CPU"
    if requested == "mps" and not mps_ok:
        return torch.device("cpu"), "device `mps` is not available here; using the CPU"
    return torch.device(requested), None


def configure_threads() -> None:
    """Leave one core to the LSP event loop: with every core busy in torch, latency of the
    whole server jumped 10-30x in measurements on a 2-core machine."""
    cores = os.cpu_count() or 1
    torch.set_num_threads(max(1, cores - 1))


def _load_pretrained(
    spec: str, allow_download: bool, allow_pickle: bool = False
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(spec).expanduser()
    is_folder = folder.is_dir()
    if is_folder:
        if not (folder / "config.json").is_file():
            raise ModelLoadError(f"the folder {folder} has no config.json: it is not a model")
        _check_weights(folder, allow_pickle)
    elif spec.startswith((".", "/", "~")):
        raise ModelLoadError(f"the model folder {spec} does not exist")
    elif not allow_download and not _in_hub_cache(spec):
        # Said before transformers tries: its own message speaks of failing to connect,
        # which reads as a network problem when no connection was ever attempted.
        raise ModelLoadError(
            f"the model {spec!r} is not in the local Hugging Face cache, and downloads are "
            "off: set `sentimentLs.allowDownload` to true to fetch it from the Hub, or give "
            "the path of a local model folder"
        )
    source = str(folder) if is_folder else spec
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
        raise ModelLoadError(f"cannot load the model {spec!r}{hint}: {error}") from error
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


def _in_hub_cache(repo_id: str) -> bool:
    """Whether the local Hugging Face cache holds this repository's config.json."""
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except ValueError:  # not a valid repository id: certainly not cached
        return False
    return isinstance(found, str)


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of `model` with int8 weights (one scale per output channel) and dynamically
    quantized activations in its linear layers, for the CPU.

    Measured on the embedded model and SST-2 validation: per-tensor scales lost 0.68 points
    of accuracy (0.9338 vs 0.9406), per-channel scales 0.01 (0.9405) at the same speed, about
    1.7x fp32. It is not the default: activations get one dynamic scale per batch, so a
    sentence's logits depend on the sentences batched with it (by up to several nats for
    occlusion variants), and the same sentence could be flagged in a document and not alone.
    torch 2.13 marks `quantize_dynamic` deprecated in favour of torchao, but
    torchao 0.18's int8 configs ran no faster than fp32 on this CPU (339 vs 336 sentences/s)."""
    import copy
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():
        # The deprecation notices are torch's plans, not the user's problem.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        quantized: torch.nn.Module = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            copy.deepcopy(model), {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
    return quantized


def load_model(
    spec: str,
    device: str = "auto",
    allow_download: bool = False,
    precision: str = "fp32",
    allow_pickle: bool = False,
) -> LoadedModel:
    """Load `spec` ("embedded", a folder or a Hub id) onto the device, in eval mode;
    `precision` "int8" adds an int8 copy for inference where the device allows it;
    pickle weights only when `allow_pickle`."""
    if spec in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID):
        from sentiment_ls.embedded import load_embedded, load_embedded_sst2

        try:
            loader = load_embedded if spec == EMBEDDED_MODEL_ID else load_embedded_sst2
            model, tokenizer = loader()
        except (RuntimeError, OSError) as error:
            raise ModelLoadError(f"cannot load the {spec} model: {error}") from error
    else:
        model, tokenizer = _load_pretrained(spec, allow_download, allow_pickle)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(
            f"the tokenizer of {spec!r} has no fast (Rust) version: sentiment-ls needs its "
            "offset mapping to place tokens in the text"
        )
    torch_device, warning = resolve_device(device)
    model.to(torch_device)
    model.eval()
    # Served, never trained: the gradient attribution methods differentiate with respect to
    # the embeddings only, and weight gradients would double the cost of their backward pass.
    model.requires_grad_(False)
    config = model.config
    id2label = {int(k): str(v) for k, v in config.id2label.items()}
    limit = int(getattr(config, "max_position_embeddings", 512) or 512)
    tokenizer_limit = int(getattr(tokenizer, "model_max_length", limit) or limit)
    warnings = [warning] if warning else []
    fast_model = None
    if precision == "int8" and torch_device.type == "cpu":
        fast_model = quantize_int8(model)
    elif precision == "int8":
        warnings.append(f"int8 inference is for the CPU; running fp32 on {torch_device.type}")
        precision = "fp32"
    return LoadedModel(
        model_id=spec,
        model=model,
        tokenizer=tokenizer,
        device=torch_device,
        id2label=id2label,
        max_length=min(limit, tokenizer_limit, 512),
        problem_type=getattr(config, "problem_type", None),
        warnings=tuple(warnings),
        fast_model=fast_model,
        precision=precision,
    )

"""Checkpoints for the PyTorch runtime, through transformers: the embedded models, a local
folder or a Hub id.

Safety rules: never `trust_remote_code`; safetensors only unless the caller allows pickle
weights; no network unless the caller allows downloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.analysis.model_loading import LoadRequest, ModelLoadError
from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def load_hf(request: LoadRequest) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    if request.spec in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID):
        from sentiment_ls.embedded import load_embedded, load_embedded_sst2

        try:
            if request.spec == EMBEDDED_MODEL_ID:
                return load_embedded()
            return load_embedded_sst2()
        except (RuntimeError, OSError) as error:
            raise ModelLoadError(f"cannot load the {request.spec} model: {error}") from error
    return _load_pretrained(request.spec, request.allow_download, request.allow_pickle)


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

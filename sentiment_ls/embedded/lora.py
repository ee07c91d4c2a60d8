"""Fold a saved LoRA adapter into a model's weights: W <- W + (alpha / r) * B @ A.

peft does the same with `PeftModel.from_pretrained(...).merge_and_unload()`, but importing
peft costs about 4 s on a 2-core machine, most of the server's cold start. The adapter files
are peft's own (adapter_config.json + adapter_model.safetensors); only plain LoRA is
supported here, and anything else in the config is refused rather than merged wrongly. A
test checks this merge against peft's on the shipped adapter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
PEFT_PREFIX = "base_model.model."


class AdapterError(ValueError):
    """The adapter is not plain LoRA, or does not fit the model."""


def _check_plain_lora(config: dict[str, Any]) -> float:
    if config.get("peft_type") != "LORA":
        raise AdapterError(f"not a LoRA adapter: peft_type {config.get('peft_type')!r}")
    unsupported = {
        "use_dora": False,
        "use_rslora": False,
        "fan_in_fan_out": False,
        "bias": "none",
        "rank_pattern": {},
        "alpha_pattern": {},
    }
    for key, plain in unsupported.items():
        if config.get(key, plain) not in (plain, None):
            raise AdapterError(f"adapter option {key}={config[key]!r} is not supported")
    return float(config["lora_alpha"]) / float(config["r"])


@torch.no_grad()
def merge_lora(model: torch.nn.Module, adapter_dir: Path) -> None:
    """Add the adapter's low-rank updates to `model` in place, and load its saved modules."""
    config = json.loads((adapter_dir / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    scale = _check_plain_lora(config)
    tensors = load_file(adapter_dir / ADAPTER_WEIGHTS)
    state = model.state_dict()
    for key, tensor in tensors.items():
        name = key.removeprefix(PEFT_PREFIX)
        if name.endswith(".lora_B.weight"):
            continue  # handled with its lora_A
        if name.endswith(".lora_A.weight"):
            module_name = name.removesuffix(".lora_A.weight")
            down = tensor
            up = tensors[key.replace(".lora_A.weight", ".lora_B.weight")]
            module = model.get_submodule(module_name)
            if not isinstance(module, torch.nn.Linear):
                raise AdapterError(f"{module_name} is not a linear layer: LoRA cannot merge")
            weight = module.weight
            if weight.shape != (up.shape[0], down.shape[1]):
                raise AdapterError(f"{module_name}: adapter shape does not fit the model")
            weight += scale * (up.to(weight.dtype) @ down.to(weight.dtype))
        elif name in state:  # a module saved whole (the classification head)
            if state[name].shape != tensor.shape:
                raise AdapterError(f"{name}: saved shape {tuple(tensor.shape)} does not fit")
            state[name].copy_(tensor)
        else:
            raise AdapterError(f"adapter tensor {key} has no place in the model")

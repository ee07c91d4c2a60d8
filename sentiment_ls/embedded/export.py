"""Write the embedded model as an ordinary Hugging Face folder, with its ONNX graph.

`transformers.pipeline` loads the folder (config, tokenizer, `model.safetensors` in float32);
sentiment-ls loads it on onnxruntime through `model.graph.onnx`, whose weights are that same
safetensors file.
"""

from __future__ import annotations

from pathlib import Path

from sentiment_ls.embedded import load_embedded
from sentiment_ls.embedded.onnx_export import export_graph


def export_model(directory: str | Path) -> Path:
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    model, tokenizer = load_embedded()
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    export_graph(model, target)
    return target

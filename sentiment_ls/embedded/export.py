"""Write the embedded model (base + adapter, merged) as an ordinary Hugging Face folder."""

from __future__ import annotations

from pathlib import Path

from sentiment_ls.embedded import load_embedded


def export_model(directory: str | Path) -> Path:
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    model, tokenizer = load_embedded()
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    return target

"""After training: calibrate the best model on the dev split, and pack it for the package.

Calibration is temperature scaling (Guo et al., 2017): one scalar T fitted to minimise the
negative log-likelihood of the dev split's labels, folded into the classifier (weights and bias
divided by T). The logits the model outputs are then already calibrated, on every runtime and in
the exported Hugging Face folder, and the argmax, so the accuracy, is unchanged.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sentiment_ls.training.calibration import expected_calibration_error, fit_temperature
from sentiment_ls.training.mix import dev_splits

LOG = logging.getLogger("sentiment_ls.train")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def dev_logits(model_dir: Path, data_dir: Path) -> tuple[npt.NDArray[np.float64], list[int]]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    dev = [example for split in dev_splits(data_dir).values() for example in split]
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, local_files_only=True, use_safetensors=True
    ).eval()
    # Batches of similar lengths: padding a batch to its longest sentence cost a large base
    # (the teacher) most of its time.
    order = sorted(range(len(dev)), key=lambda i: len(dev[i].text))
    logits = np.zeros((len(dev), model.config.num_labels))
    with torch.inference_mode():
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            batch = tokenizer(
                [dev[i].text for i in chunk],
                truncation=True,
                max_length=512,
                padding=True,
                return_tensors="pt",
            )
            logits[chunk] = model(**batch).logits.double().numpy()
    return logits, [e.label for e in dev]


def calibrate(model_dir: Path, data_dir: Path) -> dict[str, float]:
    """Fit T on the dev splits, fold it into `model_dir`'s classifier; return the report."""
    import torch
    from transformers import AutoModelForSequenceClassification

    logits, gold = dev_logits(model_dir, data_dir)
    temperature = fit_temperature(logits, gold)
    before = expected_calibration_error(logits, gold)
    after = expected_calibration_error(logits / temperature, gold)
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, local_files_only=True, use_safetensors=True
    )
    # BERT's classifier is one linear layer; RoBERTa-style heads (MPNet's) end in `out_proj`.
    output = getattr(model.classifier, "out_proj", model.classifier)
    with torch.no_grad():
        output.weight /= temperature
        output.bias /= temperature
    model.save_pretrained(model_dir, safe_serialization=True)
    report = {"temperature": temperature, "dev_ece_before": before, "dev_ece_after": after}
    LOG.info("calibration on the dev split: %s", report)
    return report


def pack_model(model_dir: Path, pack_dir: Path) -> None:
    """Write the packed weights, config, tokenizer and training report into `pack_dir`."""
    from safetensors.numpy import load_file

    from sentiment_ls.embedded.packed import write_packed

    state = load_file(str(model_dir / "model.safetensors"))
    written = write_packed({k: v for k, v in state.items() if v.dtype.kind == "f"}, pack_dir)
    for name in ("config.json", "training.json", *TOKENIZER_FILES):
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, pack_dir / name)
    LOG.info("packed %s (%.1f MB)", written, written.stat().st_size / 1e6)


def finalize(model_dir: Path, data_dir: Path, pack_dir: Path | None) -> None:
    report_file = model_dir / "training.json"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    if "calibration" not in report:  # idempotent: a second run must not divide by T twice
        report["calibration"] = calibrate(model_dir, data_dir)
        report_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if not math.isfinite(report["calibration"]["temperature"]):
        raise RuntimeError("calibration failed: the fitted temperature is not finite")
    if pack_dir is not None:  # only a model that calibrated is ever packed into the package
        pack_model(model_dir, pack_dir)


def main(argv: list[str] | None = None) -> int:
    """`python -m sentiment_ls.training.finalize MODEL_DIR --data-dir D [--pack DIR]`: calibrate
    a model folder made outside a training run (an average, an interpolation) and pack it."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("model_dir")
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--pack", default="", help="write the packed weights into this folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    finalize(Path(args.model_dir), Path(args.data_dir), Path(args.pack) if args.pack else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

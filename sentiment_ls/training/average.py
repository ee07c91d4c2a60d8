"""Average the weights of several evaluated steps of one run (a uniform "model soup"), or
interpolate a fine-tuned model with the model it started from (WiSE-FT).

    python -m sentiment_ls.training.average --work-dir runs/train --steps 1600 2000 2296 \\
        --out runs/train/average
    python -m sentiment_ls.training.average --snapshots runs/g/snapshots/step-2161.safetensors \\
        runs/h/snapshots/step-2161.safetensors --base runs/g/model --out runs/gh-soup
    python -m sentiment_ls.training.average --interpolate runs/init runs/train/model \\
        --alpha 0.6 --out runs/train/wise

Steps of one fine-tuning run stay in one basin of the loss, so the mean of their weights is a
model of the same architecture and cost that is usually at least as good as the best of them
(Wortsman et al., "Model soups", 2022); so are runs continued from one model, since they
share its frozen weights and stay near it. Interpolating between the starting model and the
fine-tuned one (Wortsman et al., "Robust fine-tuning of zero-shot models", 2022) keeps more of
what the starting model did well where the new data is silent: here, the documentation prose
the earlier model was tuned for, while the new one learned issue threads.

The frozen weights of an average are taken from the run's best model (the snapshots do not
hold them); the result is an ordinary Hugging Face folder, not yet calibrated
(`finalize` calibrates and packs it).
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file


def average(snapshots: Sequence[Path], base: Path, out: Path) -> None:
    state = load_file(str(base / "model.safetensors"))
    trained = [load_file(str(path)) for path in snapshots]
    for name in trained[0]:
        if name not in state:
            raise ValueError(f"{name} of {snapshots[0]} is not a weight of {base}")
        mean = np.mean([t[name].astype(np.float64) for t in trained], axis=0)
        state[name] = mean.astype(state[name].dtype)
    steps = [p.stem.removeprefix("step-") for p in snapshots]
    record: dict[str, object] = {
        "averaged_steps": steps,
        "averaged_snapshots": [str(p) for p in snapshots],
    }
    write_model(state, base, out, record)


def write_model(
    state: dict[str, np.ndarray], like: Path, out: Path, record: dict[str, object]
) -> None:
    """`state` as a model folder with `like`'s other files; its training record says how it
    was made and drops the calibration and the step record: a new model is calibrated afresh by
    `finalize`."""
    out.mkdir(parents=True, exist_ok=True)
    for item in like.iterdir():
        if item.is_file() and item.name != "model.safetensors":
            shutil.copyfile(item, out / item.name)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    report_file = out / "training.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    # What described the folder copied from (its best step, that step's dev numbers and the
    # evaluations up to it, its calibration) does not describe the new weights.
    for stale in ("calibration", "step", "dev_negative_ap", "history"):
        report.pop(stale, None)
    report.update(record)
    report_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def interpolate(start: Path, tuned: Path, alpha: float, out: Path) -> None:
    """(1 - alpha) * start + alpha * tuned, weight by weight; the rest of the folder is tuned's."""
    first = load_file(str(start / "model.safetensors"))
    second = load_file(str(tuned / "model.safetensors"))
    if first.keys() != second.keys():
        raise ValueError(f"{start} and {tuned} do not hold the same weights")
    state = {}
    for name, value in second.items():
        if value.dtype.kind != "f":
            state[name] = value
            continue
        mixed = (1 - alpha) * first[name].astype(np.float64) + alpha * value.astype(np.float64)
        state[name] = mixed.astype(value.dtype)
    record = {"start": start.name, "tuned": tuned.name, "alpha": alpha}
    write_model(state, tuned, out, {"interpolated": record})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", help="the run's --work-dir")
    parser.add_argument("--steps", nargs="+", type=int)
    parser.add_argument(
        "--snapshots", nargs="+", default=[], help="snapshot files, of one run or several"
    )
    parser.add_argument("--base", default="", help="default: WORK_DIR/model (the best step)")
    parser.add_argument(
        "--interpolate", nargs=2, metavar=("START", "TUNED"), help="two model folders"
    )
    parser.add_argument("--alpha", type=float, default=0.5, help="the tuned model's share")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.interpolate:
        if not 0.0 <= args.alpha <= 1.0:
            parser.error("--alpha must be between 0 and 1")
        start, tuned = (Path(folder) for folder in args.interpolate)
        interpolate(start, tuned, args.alpha, Path(args.out))
        print(f"interpolated {start} and {tuned} at alpha {args.alpha} into {args.out}")
        return 0
    if args.snapshots:
        if not args.base:
            parser.error(
                "--snapshots needs --base, the model folder whose other weights they share"
            )
        snapshots = [Path(path) for path in args.snapshots]
        base = Path(args.base)
    elif args.work_dir and args.steps:
        work_dir = Path(args.work_dir)
        snapshots = [work_dir / "snapshots" / f"step-{step}.safetensors" for step in args.steps]
        base = Path(args.base) if args.base else work_dir / "model"
    else:
        parser.error("give --work-dir and --steps, --snapshots and --base, or --interpolate")
    for path in snapshots:
        if not path.is_file():
            parser.error(f"no snapshot {path}")
    average(snapshots, base, Path(args.out))
    print(f"averaged {len(snapshots)} steps into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

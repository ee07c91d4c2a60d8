"""Average the weights of several evaluated steps of one run (a uniform "model soup").

    python -m sentiment_ls.training.average --work-dir runs/train --steps 1600 2000 2296 \\
        --out runs/train/average

Steps of one fine-tuning run stay in one basin of the loss, so the mean of their weights is a
model of the same architecture and cost that is usually at least as good as the best of them
(Wortsman et al., 2022). The frozen weights are taken from the run's best model, which the
snapshots do not hold; the result is an ordinary Hugging Face folder, not yet calibrated
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
    out.mkdir(parents=True, exist_ok=True)
    for item in base.iterdir():
        if item.is_file() and item.name != "model.safetensors":
            shutil.copyfile(item, out / item.name)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    report_file = out / "training.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    report.pop("calibration", None)  # the average is a new model: calibrate it afresh
    report["averaged_steps"] = [p.stem.removeprefix("step-") for p in snapshots]
    report_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", required=True, help="the run's --work-dir")
    parser.add_argument("--steps", nargs="+", type=int, required=True)
    parser.add_argument("--base", default="", help="default: WORK_DIR/model (the best step)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    work_dir = Path(args.work_dir)
    snapshots = [work_dir / "snapshots" / f"step-{step}.safetensors" for step in args.steps]
    for path in snapshots:
        if not path.is_file():
            parser.error(f"no snapshot {path}")
    average(snapshots, Path(args.base) if args.base else work_dir / "model", Path(args.out))
    print(f"averaged {len(snapshots)} steps into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

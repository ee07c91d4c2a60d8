"""How far to interpolate a continued model with the one it started from (WiSE-FT), on the dev
splits: the negative class's average precision on each, and the behavioural suite's quiet
criticism, for each alpha (the continued model's share). Uncalibrated, so read the ranking
(average precision), not the verdicts at a threshold.

    .venv/bin/python bench/interpolation.py runs/init-e87ef2f runs/warm-b/soup \\
        --alphas 1.0 0.8 0.7 0.6 0.5
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tone import DATA_DIR, behaviour, dev_split

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import Settings
from sentiment_ls.training.average import interpolate
from sentiment_ls.training.evaluate import average_precision

SPLITS = {"docs": "tone/docs/dev.tsv", "issues": "tone/issues/dev.tsv"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start", help="the model the run started from (a folder)")
    parser.add_argument("tuned", help="the continued model (a folder)")
    parser.add_argument("--alphas", nargs="+", type=float, default=[1.0, 0.8, 0.6])
    parser.add_argument("--data-dir", default=str(DATA_DIR))
    args = parser.parse_args()
    splits = {name: dev_split(Path(args.data_dir), path) for name, path in SPLITS.items()}
    print("| alpha | docs dev AP | issues dev AP | mean | quiet criticism at 0.65 |")
    print("|--:|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as scratch:
        for alpha in args.alphas:
            folder = Path(scratch) / f"alpha-{alpha}"
            interpolate(Path(args.start), Path(args.tuned), alpha, folder)
            graph = Path(args.start) / "model.graph.onnx"
            if graph.is_file() and not (folder / graph.name).is_file():
                shutil.copyfile(graph, folder / graph.name)
            engine = SentimentEngine(load_model(LoadRequest(model=str(folder))))
            aps = []
            for rows in splits.values():
                analyses = engine.analyze([r.text for r in rows])
                scores = [a.prediction.probabilities["negative"] for a in analyses]
                aps.append(average_precision(scores, [r.label == "negative" for r in rows]))
            rule, _ = rule_for(Settings(threshold=0.65), engine.loaded.labels)
            quiet = behaviour(engine, rule)[0]["quiet criticism"]
            mean = sum(aps) / len(aps)
            print(f"| {alpha} | {aps[0]:.3f} | {aps[1]:.3f} | {mean:.3f} | {quiet:.2f} |")


if __name__ == "__main__":
    main()

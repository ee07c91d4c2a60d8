"""The options of `sentiment-ls train`, kept apart from the trainer so that building the
command line imports neither torch nor transformers."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

# Named here rather than imported: building the command line reads no training module.
BASE_NAMES = ("minilm-l6", "mpnet-base")
MIX_NAMES = ("embedded", "teacher")


@dataclass(frozen=True)
class TrainConfig:
    data_dir: str
    out: str
    work_dir: str
    pack: str = ""
    init: str = ""
    labels_dir: str = ""
    base: str = "minilm-l6"
    teacher_logits: tuple[str, ...] = ()
    pool: tuple[str, ...] = ()
    pool_per_epoch: int = 0
    distill_alpha: float = 0.5
    distill_temperature: float = 2.0
    mix: str = "embedded"
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 96
    seed: int = 13
    eval_every: int = 400
    checkpoint_every: int = 200
    max_steps: int = 0
    limit_train: int = 0
    device: str = "auto"
    threads: int = 0


# The numeric options, each parsed as the type of its default.
_NUMBER_OPTIONS = {
    "epochs": "passes over the mix",
    "batch_size": "examples per step",
    "max_length": "word pieces kept per example (longer ones are cut)",
    "seed": "seed of the mix's draws, the batches and the initialisation",
    "eval_every": "steps between evaluations on the dev split",
    "checkpoint_every": "steps between checkpoints in --work-dir",
    "max_steps": "stop after this many steps (0: run every epoch)",
    "limit_train": "keep only this many examples per epoch (0: all; for smoke runs)",
    "threads": "torch threads (0: torch's default)",
    "pool_per_epoch": "unlabelled pool rows drawn each epoch, taught by the teacher's logits alone",
    "distill_alpha": "weight of the teacher's soft labels on gold rows it labelled (0 to 1)",
    "distill_temperature": "temperature of the soft labels (Hinton et al., 2015)",
    "learning_rate": "peak learning rate of AdamW",
    "warmup_ratio": "share of the steps spent warming the learning rate up",
    "weight_decay": "AdamW weight decay (not on biases and LayerNorm)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig(data_dir="", out="", work_dir="")
    parser.add_argument(
        "--data-dir",
        required=True,
        help="the shared data folder holding tone/ and sst2/ (../shared/data beside a checkout)",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="where the best model is written as a Hugging Face folder (default: "
        "WORK_DIR/model; never the package, which only --pack writes)",
    )
    parser.add_argument(
        "--work-dir",
        default="runs/train",
        help="checkpoints and train.log (default: %(default)s)",
    )
    parser.add_argument(
        "--pack",
        default="",
        help="also write the packed weights the package ships into this folder "
        "(sentiment_ls/embedded/weights to replace the embedded model; default: none)",
    )
    parser.add_argument(
        "--init",
        default="",
        help="start from this Hugging Face folder of a three-class model (for example the "
        "earlier embedded model, written by `sentiment-ls export-model`) instead of the base "
        "with a new classifier (default: the base)",
    )
    parser.add_argument(
        "--base",
        default=defaults.base,
        choices=BASE_NAMES,
        help="the pinned base to start from: minilm-l6, the embedded model's (the `train` "
        "extra), or mpnet-base, the teacher's (the `teacher` extra); ignored with --init "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--mix",
        default=defaults.mix,
        choices=MIX_NAMES,
        help="which training mix: embedded (the embedded model's stage 2) or teacher (the "
        "in-domain sets once or twice, the far sets drawn less, for a slower base) "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--teacher-logits",
        nargs="+",
        default=[],
        metavar="FILE",
        help="distil: the teacher's logits by text (python -m sentiment_ls.training.distill "
        "label); where files share a text, the first file's logits teach it; without any, "
        "gold labels alone (default: none)",
    )
    parser.add_argument(
        "--pool",
        nargs="+",
        default=[],
        metavar="FILE",
        help="distil: the unlabelled pool (python -m sentiment_ls.training.pool build), then "
        "any transfer sets of the same shape (training.augment); the rows the teacher labelled "
        "are drawn, and the gold labels' ids are read in the first (default: none)",
    )
    parser.add_argument(
        "--labels-dir",
        default="",
        help="the folder of this project's pool labels (default: data/ of the checkout)",
    )
    for name, text in _NUMBER_OPTIONS.items():
        default = getattr(defaults, name)
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=type(default),
            default=default,
            help=f"{text} (default: %(default)s)",
        )
    parser.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cpu", "cuda"],
        help="auto: cuda when available (default: %(default)s)",
    )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    fields = TrainConfig.__dataclass_fields__
    values = {name: getattr(args, name) for name in fields}
    values["teacher_logits"] = tuple(values["teacher_logits"])
    values["pool"] = tuple(values["pool"])
    if values["out"] is None:
        values["out"] = str(Path(args.work_dir) / "model")
    return TrainConfig(**values)

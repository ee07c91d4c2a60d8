"""Fine-tune the embedded model: LoRA on MiniLM-L6 for binary sentiment on SST-2.

Seeded, logs progress, checkpoints every `--checkpoint-every` steps and resumes from the last
checkpoint in `--work-dir`. Picks the adapter with the best validation accuracy and writes it,
with the classification head and the model config, to `--out` (WORK_DIR/model unless told;
`--out sentiment_ls/embedded/weights` replaces the embedded model).

    sentiment-ls train --train ../shared/data/sst2/train.tsv \
        --validation ../shared/data/sst2/validation.tsv
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from sentiment_ls.embedded.base import verified_base_dir
from sentiment_ls.training.data import Example, detokenize, read_labelled_tsv, sentence_case

LOG = logging.getLogger("sentiment_ls.train")
ID2LABEL = {0: "NEGATIVE", 1: "POSITIVE"}
BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class TrainConfig:
    train: str
    validation: str
    out: str
    work_dir: str
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 5e-4
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    max_length: int = 64
    prose_ratio: float = 0.5
    seed: int = 13
    eval_every: int = 600
    checkpoint_every: int = 200
    max_steps: int = 0
    limit_train: int = 0
    device: str = "auto"
    threads: int = 0


_HELP = {
    "epochs": "passes over the training file",
    "batch_size": "sentences per step",
    "lora_rank": "rank of the LoRA matrices",
    "lora_alpha": "LoRA scaling (alpha / rank multiplies the update)",
    "max_length": "tokens per sentence; longer ones are truncated",
    "seed": "seed of every random choice (shuffling, dropout, prose variants)",
    "eval_every": "steps between validation runs",
    "checkpoint_every": "steps between checkpoints in --work-dir",
    "max_steps": "stop after this many steps; 0: no limit",
    "limit_train": "train on a random sample of this many sentences; 0: all",
    "threads": "CPU threads for torch; 0: torch's choice",
    "learning_rate": "peak learning rate (AdamW, linear warm-up and decay)",
    "warmup_ratio": "share of the steps spent warming up",
    "weight_decay": "AdamW weight decay",
    "lora_dropout": "dropout in the LoRA branch",
    "prose_ratio": "probability of training on a sentence's detokenized, sentence-cased form",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig(train="", validation="", out="", work_dir="")
    parser.add_argument("--train", required=True, help="sentence<TAB>label training file")
    parser.add_argument("--validation", required=True, help="file used to pick the best step")
    # Not the package's weights folder by default: in an editable install that would
    # overwrite tracked files. Replacing the embedded model is asked for by name.
    parser.add_argument(
        "--out",
        default=None,
        help="where the best adapter, head and config are written (default: WORK_DIR/model; "
        "to replace the embedded model, in a checkout: sentiment_ls/embedded/weights)",
    )
    parser.add_argument(
        "--work-dir",
        default="runs/train",
        help="checkpoints and the log; a run there is resumed (default: %(default)s)",
    )
    for name in (
        "epochs",
        "batch_size",
        "lora_rank",
        "lora_alpha",
        "max_length",
        "seed",
        "eval_every",
        "checkpoint_every",
        "max_steps",
        "limit_train",
        "threads",
    ):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=getattr(defaults, name),
            help=f"{_HELP[name]} (default: %(default)s)",
        )
    for name in ("learning_rate", "warmup_ratio", "weight_decay", "lora_dropout", "prose_ratio"):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=float,
            default=getattr(defaults, name),
            help=f"{_HELP[name]} (default: %(default)s)",
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
    values["out"] = values["out"] or str(Path(args.work_dir) / "model")
    return TrainConfig(**values)


def prose_variant(text: str) -> str:
    """The treebank phrase as a person would write it: detokenized, sentence-cased."""
    return sentence_case(detokenize(text))


def length_grouped_batches(
    lengths: list[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Shuffled batches of similar lengths (as transformers' LengthGroupedSampler): less padding."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    group = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), group):
        chunk = sorted(order[start : start + group], key=lengths.__getitem__, reverse=True)
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def tidy_adapter_folder(out: Path) -> None:
    """peft records the training machine's absolute base path and writes a template model
    card; neither belongs in the package (MODEL.md is the card)."""
    config_file = out / "adapter_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = BASE_MODEL_NAME
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "README.md").unlink(missing_ok=True)


class Trainer:
    def __init__(self, config: TrainConfig) -> None:
        from peft import LoraConfig, TaskType, get_peft_model
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.config = config
        self.work_dir = Path(config.work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if config.threads:
            torch.set_num_threads(config.threads)
        wants_cuda = config.device == "cuda" or (
            config.device == "auto" and torch.cuda.is_available()
        )
        self.device = torch.device("cuda" if wants_cuda else "cpu")
        random.seed(config.seed)
        torch.manual_seed(config.seed)

        base_dir = verified_base_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            base_dir,
            num_labels=2,
            id2label=ID2LABEL,
            label2id={v: k for k, v in ID2LABEL.items()},
            local_files_only=True,
            use_safetensors=True,
        )
        self.base_config = model.config
        lora = LoraConfig(
            task_type=TaskType.SEQ_CLS,
            r=config.lora_rank,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules="all-linear",
        )
        self.model = get_peft_model(model, lora).to(self.device)
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        LOG.info(
            "device %s, threads %d, trainable parameters %d",
            self.device,
            torch.get_num_threads(),
            trainable,
        )

        train = read_labelled_tsv(Path(config.train))
        if config.limit_train:
            train = random.Random(config.seed).sample(train, min(config.limit_train, len(train)))
        self.train = train
        self.validation = read_labelled_tsv(Path(config.validation))
        # Both forms of every training phrase, tokenized once; each epoch picks one per example.
        self.train_ids = {
            "treebank": self._encode([e.text for e in train]),
            "prose": self._encode([prose_variant(e.text) for e in train]),
        }
        self.steps_per_epoch = math.ceil(len(train) / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        if config.max_steps:
            self.total_steps = min(self.total_steps, config.max_steps)

        decay = [p for n, p in self.model.named_parameters() if p.requires_grad and "bias" not in n]
        no_decay = [p for n, p in self.model.named_parameters() if p.requires_grad and "bias" in n]
        self.optimizer = torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": config.weight_decay},
                {"params": no_decay, "weight_decay": 0.0},
            ],
            lr=config.learning_rate,
        )
        warmup = int(self.total_steps * config.warmup_ratio)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda step: min(
                (step + 1) / max(1, warmup),
                max(0.0, (self.total_steps - step) / max(1, self.total_steps - warmup)),
            ),
        )
        self.step = 0
        self.best_accuracy = -1.0
        self.history: list[dict[str, Any]] = []

    def _encode(self, texts: list[str]) -> list[list[int]]:
        encoded = self.tokenizer(texts, truncation=True, max_length=self.config.max_length)
        return list(encoded["input_ids"])

    def _collate(self, rows: list[list[int]]) -> dict[str, torch.Tensor]:
        width = max(len(r) for r in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}

    def _epoch_batches(self, epoch: int) -> list[tuple[list[list[int]], list[int]]]:
        rng = random.Random(self.config.seed * 1000 + epoch)
        chosen = [
            self.train_ids["prose" if rng.random() < self.config.prose_ratio else "treebank"][i]
            for i in range(len(self.train))
        ]
        batches = length_grouped_batches([len(c) for c in chosen], self.config.batch_size, rng)
        return [([chosen[i] for i in b], [self.train[i].label for i in b]) for b in batches]

    @torch.inference_mode()
    def evaluate(self, examples: list[Example]) -> float:
        self.model.eval()
        encoded = self._encode([e.text for e in examples])
        order = sorted(range(len(examples)), key=lambda i: len(encoded[i]))
        correct = 0
        for start in range(0, len(order), 128):
            chunk = order[start : start + 128]
            logits = self.model(**self._collate([encoded[i] for i in chunk])).logits
            predicted = logits.argmax(-1).tolist()
            correct += sum(
                int(p == examples[i].label) for p, i in zip(predicted, chunk, strict=True)
            )
        self.model.train()
        return correct / len(examples)

    # Checkpoints: the adapter through peft, the rest (optimizer, scheduler, counters) as a
    # state dict of tensors and numbers, which loads with weights_only=True (no arbitrary pickle).
    def save_checkpoint(self) -> None:
        folder = self.work_dir / "checkpoint"
        self.model.save_pretrained(folder)
        state = {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "step": self.step,
            "best_accuracy": self.best_accuracy,
            "history": json.dumps(self.history),
        }
        torch.save(state, folder / "trainer_state.pt")
        LOG.info("checkpoint at step %d", self.step)

    def try_resume(self) -> None:
        folder = self.work_dir / "checkpoint"
        state_file = folder / "trainer_state.pt"
        if not state_file.is_file():
            return
        from safetensors.torch import load_file

        adapter = load_file(folder / "adapter_model.safetensors", device=str(self.device))
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(self.model, adapter)
        state = torch.load(state_file, map_location=self.device, weights_only=True)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.step = int(state["step"])
        self.best_accuracy = float(state["best_accuracy"])
        self.history = json.loads(state["history"])
        LOG.info(
            "resumed from step %d (best validation accuracy %.4f)", self.step, self.best_accuracy
        )

    def save_best(self, accuracy: float) -> None:
        out = Path(self.config.out)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out)
        self.base_config.save_pretrained(out)
        tidy_adapter_folder(out)
        (out / "training.json").write_text(
            json.dumps(
                {
                    "validation_accuracy": accuracy,
                    "step": self.step,
                    "config": {
                        k: v for k, v in asdict(self.config).items() if k not in ("out", "work_dir")
                    },
                    "history": self.history,
                },
                indent=2,
            )
            + "\n"
        )
        LOG.info(
            "new best validation accuracy %.4f at step %d, written to %s", accuracy, self.step, out
        )

    def validate(self) -> None:
        started = time.perf_counter()
        accuracy = self.evaluate(self.validation)
        self.history.append({"step": self.step, "validation_accuracy": round(accuracy, 5)})
        LOG.info(
            "step %d: validation accuracy %.4f (%.1f s)",
            self.step,
            accuracy,
            time.perf_counter() - started,
        )
        if accuracy > self.best_accuracy:
            self.best_accuracy = accuracy
            self.save_best(accuracy)

    def run(self) -> float:
        self.try_resume()
        self.model.train()
        started = time.perf_counter()
        loss_sum, loss_count = 0.0, 0
        while self.step < self.total_steps:
            epoch, offset = divmod(self.step, self.steps_per_epoch)
            for ids, labels in self._epoch_batches(epoch)[offset:]:
                batch = self._collate(ids)
                target = torch.tensor(labels, device=self.device)
                loss = torch.nn.functional.cross_entropy(self.model(**batch).logits, target)
                loss.backward()  # type: ignore[no-untyped-call]
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
                self.step += 1
                loss_sum, loss_count = loss_sum + loss.item(), loss_count + 1
                if self.step % 50 == 0:
                    rate = loss_count / (time.perf_counter() - started)
                    LOG.info(
                        "epoch %d step %d/%d loss %.4f lr %.2e (%.2f steps/s, %.0f min left)",
                        epoch,
                        self.step,
                        self.total_steps,
                        loss_sum / loss_count,
                        self.scheduler.get_last_lr()[0],
                        rate,
                        (self.total_steps - self.step) / rate / 60,
                    )
                if self.step % self.config.eval_every == 0 or self.step == self.total_steps:
                    self.validate()
                if self.step % self.config.checkpoint_every == 0:
                    self.save_checkpoint()
                if self.step >= self.total_steps:
                    break
            if self.step % self.steps_per_epoch == 0 and self.step % self.config.eval_every:
                self.validate()
        if self.step % self.config.checkpoint_every:
            self.save_checkpoint()
        LOG.info("done: best validation accuracy %.4f", self.best_accuracy)
        return self.best_accuracy


def train(config: TrainConfig) -> float:
    Path(config.work_dir).mkdir(parents=True, exist_ok=True)
    # Progress goes to stderr and to train.log beside the checkpoints, whatever the root
    # logger's level (the CLI keeps that at WARNING for the server's sake).
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    LOG.handlers.clear()
    for handler in (
        logging.StreamHandler(),
        logging.FileHandler(Path(config.work_dir) / "train.log"),
    ):
        handler.setFormatter(formatter)
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
    return Trainer(config).run()

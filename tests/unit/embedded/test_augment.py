"""The distillation transfer set: perturbed copies of the training-side thread sentences."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sentiment_ls.training.augment import MIN_WORDS, augmented_rows, main, thread_texts, variants
from sentiment_ls.training.distill import text_key
from sentiment_ls.training.mix import DEV_PATHS

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SENTENCE = "Ok, but you still have not answered my question about the release"


def test_variants_are_shorter_distinct_copies_and_seeded() -> None:
    found = variants(SENTENCE, 4, random.Random(1))
    assert len(found) == 4 and len(set(found)) == 4
    words = SENTENCE.split()
    for variant in found:
        kept = variant.split()
        assert MIN_WORDS <= len(kept) < len(words)
        # Only deletions: the words left keep their order.
        it = iter(words)
        assert all(word in it for word in kept)
    assert found == variants(SENTENCE, 4, random.Random(1))
    assert variants("Too short to cut.", 4, random.Random(1)) == []


def test_a_variant_equal_to_another_original_is_left_out() -> None:
    shorter = "you still have not answered my question"
    rows = augmented_rows([(SENTENCE, "issues"), (shorter, "issues")], 30, seed=3)
    assert text_key(shorter) not in {key for key, *_ in rows}
    assert all(source == "augmented:issues" for _, _, source, _ in rows)


def test_the_transfer_set_reads_no_dev_sentence(tmp_path: Path) -> None:
    """On the shared data: the dev splits choose the student, so none of their text (and no
    variant of it) may teach it."""
    pool = tmp_path / "pool.tsv"
    pool.write_text("id\ttext\tsource\tlicence\n", encoding="utf-8")
    texts = {text for text, _ in thread_texts(SHARED_DATA, pool)}
    assert len(texts) > 5000
    for path in DEV_PATHS:
        with (SHARED_DATA / path).open(encoding="utf-8", newline="") as stream:
            dev = {row["text"] for row in csv.DictReader(stream, delimiter="\t")}
        assert not texts & dev, path


def test_the_command_writes_a_pool_shaped_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "tone/issues").mkdir(parents=True)
    (data / "tone/issues/train.tsv").write_text(
        f"text\tlabel\tclear\tincivility\tsource\n{SENTENCE}\tnegative\t1\tNone\tx/y\n", "utf-8"
    )
    (data / "tone/issues/unlabelled.tsv").write_text("id\ttext\tsource\n", "utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "issues_labels.tsv").write_text("id\tlabel\tclear\n", "utf-8")
    (labels / "written.tsv").write_text("text\tlabel\tgroup\n", "utf-8")
    pool = tmp_path / "pool.tsv"
    pool.write_text(
        "id\ttext\tsource\tlicence\nab\tThanks, that fixed it for me today.\t"
        "tone/issues/unlabelled\tMIT\n",
        "utf-8",
    )
    out = tmp_path / "augmented.tsv"
    argv = ["--data-dir", str(data), "--pool", str(pool), "--labels-dir", str(labels)]
    assert main([*argv, "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert {row["source"] for row in rows} == {
        "augmented:issues",
        "augmented:tone/issues/unlabelled",
    }
    assert all(row["id"] == text_key(row["text"]) for row in rows)

"""The behavioural suite is never trained on: none of its sentences is in the training data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment_ls.training.mix import LABELS_DIR, SOURCES, read_source
from tests.behaviour.suite import CATEGORIES, INVARIANCES

DATA_DIR = Path(__file__).resolve().parents[3] / "shared/data"


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.skipif(
    not DATA_DIR.is_dir(), reason="needs ../shared/data beside the checkout (CI has it)"
)
def test_no_suite_sentence_is_a_training_sentence() -> None:
    suite = {normalise(s) for c in CATEGORIES for s in c.sentences}
    suite |= {normalise(s) for i in INVARIANCES for s in i.sentences()}
    training = {
        normalise(example.text)
        for source in SOURCES
        for example in read_source(DATA_DIR, source, LABELS_DIR)
    }
    assert not suite & training


def test_suite_has_every_category_of_issues_17_and_22() -> None:
    names = {c.name for c in CATEGORIES}
    assert len(names) == len(CATEGORIES) == 9  # issue 22 added social apologies
    assert all(len(c.sentences) >= 10 for c in CATEGORIES)
    assert all(len(set(c.sentences)) == len(c.sentences) for c in CATEGORIES)

"""The gold draw: disagreements ranked by their gap, then categories, never a sentence twice."""

from __future__ import annotations

import pytest

from sentiment_ls.training import gold_draw
from sentiment_ls.training.gold_draw import CATEGORIES, PoolRow, matches, select


def test_disagreements_come_first_largest_gap_first(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [PoolRow(f"r{i}", f"Sentence number {i} about the parser.", "repo") for i in range(6)]
    teacher = {0: 0.9, 1: 0.7, 2: 0.55, 3: 0.1, 4: 0.2, 5: 0.5}
    student = {0: 0.1, 1: 0.6, 2: 0.2, 3: 0.8, 4: 0.3, 5: 0.5}
    quotas = dict.fromkeys(gold_draw.QUOTAS, 0)
    quotas |= {"disagree-teacher-flags": 1, "disagree-student-flags": 5}
    monkeypatch.setattr(gold_draw, "QUOTAS", quotas)
    chosen = select(rows, teacher, student, threshold=0.5)
    # Row 0 (gap 0.8) before row 2 (0.35) for the teacher's one place; row 1's gap is too small.
    assert chosen == {0: "disagree-teacher-flags", 3: "disagree-student-flags"}


def test_a_text_is_chosen_once_whatever_its_reasons() -> None:
    rows = [
        PoolRow("a", "Sorry, I don't understand.", "x"),
        PoolRow("b", "Sorry, I don't understand.", "y"),
    ]
    chosen = select(rows, {}, {}, threshold=0.5)
    assert list(chosen.values()) == ["apology"]


def test_categories_find_what_they_name() -> None:
    rows = [
        PoolRow("1", "You clearly didn't read the issue template.", "x"),
        PoolRow("2", "He IS PAID to have this working correctly.", "x"),
        PoolRow("3", "Great, another breaking change in a patch release.", "x"),
        PoolRow("4", "The USB API is documented below.", "x"),
    ]
    found = {name: matches(rows, *spec) for name, spec in CATEGORIES.items()}
    assert 0 in found["condescension"]
    assert found["capitals"] == [1]  # capitals for emphasis, not an acronym
    assert 2 in found["praise-opening"]

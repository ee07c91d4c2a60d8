"""Labelled sentence files (`sentence<TAB>label`) and the SST-2 detokenizer."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Example:
    text: str
    label: int


class DataError(ValueError):
    pass


def read_labelled_tsv(path: Path, label2id: Mapping[str, int] | None = None) -> list[Example]:
    """Read `sentence<TAB>label` rows; the header is optional (with one, the column named
    `label` holds labels, so extra columns may follow), labels are ids or label names."""
    names = {name.lower(): index for name, index in (label2id or {}).items()}
    examples: list[Example] = []
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        label_column = -1  # without a header, the last column; with one, the `label` column
        for line_number, row in enumerate(reader, start=1):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) < 2:
                raise DataError(f"{path}:{line_number}: expected `sentence<TAB>label`")
            if line_number == 1 and "label" in (cell.strip().lower() for cell in row):
                label_column = [cell.strip().lower() for cell in row].index("label")
                continue
            text, raw_label = row[0], row[label_column].strip()
            if raw_label.lstrip("-").isdigit():
                label = int(raw_label)
            elif raw_label.lower() in names:
                label = names[raw_label.lower()]
            else:
                raise DataError(f"{path}:{line_number}: unknown label {raw_label!r}")
            examples.append(Example(text, label))
    return examples


# The treebank splits clitics and punctuation off words (`do n't`, `it 's`, ` , `) and writes
# brackets as -lrb- / -rrb-. Real prose does not; training on both forms keeps the model honest
# on text people actually write.
_DETOKENIZE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"-lrb-\s*"), "("),
    (re.compile(r"\s*-rrb-"), ")"),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (
        re.compile(r"\b(ca|wo|do|does|did|is|are|was|were|has|have|had|could|would|should) n't\b"),
        r"\1n't",
    ),
    (re.compile(r"``\s*"), '"'),
    (re.compile(r"\s*''"), '"'),
    (re.compile(r"\s+([,.;:!?%])"), r"\1"),
    (re.compile(r"\$\s+(\d)"), r"$\1"),
    (re.compile(r"\s+-\s+"), " - "),
]


def detokenize(text: str) -> str:
    for pattern, replacement in _DETOKENIZE_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]

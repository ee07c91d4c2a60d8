"""Stage 1 of the pipeline, the tokenizer: text -> word pieces, input ids, attention mask.

A sentence longer than the model's maximum length is never silently truncated: the tokenizer
cuts it into overlapping windows, each wrapped in the model's own special tokens; the engine
runs every window and averages their logits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


@dataclass(frozen=True)
class Token:
    text: str  # the word piece, as `tokenizer.convert_ids_to_tokens` gives it
    id: int
    attention: int  # the attention mask value
    span: tuple[int, int] | None  # [start, end) in the sentence text; None for special tokens


@dataclass(frozen=True)
class Encoding:
    """A sentence after the tokenizer: its first window as `tokenizer(text)` gives it, and
    every window's input ids when the sentence is longer than the model takes."""

    tokens: tuple[Token, ...]
    windows: tuple[tuple[int, ...], ...]


def encode(tokenizer: PreTrainedTokenizerBase, text: str, max_length: int) -> Encoding:
    """The tokenizer's own windowing (`return_overflowing_tokens` with a stride) so that each
    window carries the model's special tokens, whatever the model family."""
    encoded = tokenizer(
        _encodable(text),
        truncation=True,
        max_length=max_length,
        stride=max(0, max_length // 4),
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
    )
    windows = tuple(tuple(int(i) for i in ids) for ids in encoded["input_ids"])
    first = windows[0]
    special = encoded["special_tokens_mask"][0]
    offsets = encoded["offset_mapping"][0]
    attention = encoded["attention_mask"][0]
    pieces = tokenizer.convert_ids_to_tokens(list(first))
    tokens = tuple(
        Token(
            text=str(piece),
            id=token_id,
            attention=int(mask),
            span=None if is_special else (int(offset[0]), int(offset[1])),
        )
        for piece, token_id, is_special, offset, mask in zip(
            pieces, first, special, offsets, attention, strict=True
        )
    )
    return Encoding(tokens=tokens, windows=windows)


def _encodable(text: str) -> str:
    """`text` with each lone surrogate (which a client's JSON may carry) replaced by U+FFFD.

    The Rust tokenizer refuses a str that is not valid Unicode, and one such character would
    fail the whole document. The replacement is one code point for one, so every token span
    still indexes the original text.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def preprocess(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> list[Encoding]:
    return [encode(tokenizer, text, max_length) for text in texts]


def collate(
    rows: Sequence[Sequence[int]], pad_id: int, device: torch.device
) -> dict[str, torch.Tensor]:
    """Pad rows of input ids to the longest; the attention mask marks the real tokens."""
    width = max(len(row) for row in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        attention_mask[i, : len(row)] = 1
    return {"input_ids": input_ids.to(device), "attention_mask": attention_mask.to(device)}

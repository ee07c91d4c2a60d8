"""Stage 1 of the pipeline, the tokenizer: text -> word pieces, input ids, attention mask.

The `tokenizers` library (the Rust tokenizer behind transformers' fast tokenizers), loaded
from the model's `tokenizer.json`: it gives the offsets that place each token in the text,
and needs neither torch nor transformers.

A sentence longer than the model's maximum length is never silently truncated: the tokenizer
cuts it into overlapping windows, each wrapped in the model's own special tokens; the engine
runs every window and averages their logits.
"""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer


@dataclass(frozen=True, slots=True)  # every cached sentence holds one per token
class Token:
    text: str  # the word piece, as `tokenizer.convert_ids_to_tokens` gives it
    id: int
    attention: int  # the attention mask value
    span: tuple[int, int] | None  # [start, end) in the sentence text; None for special tokens


@dataclass(frozen=True, slots=True)
class Encoding:
    """A sentence after the tokenizer: its first window as `tokenizer(text)` gives it, and
    every window's input ids when the sentence is longer than the model takes."""

    tokens: tuple[Token, ...]
    windows: tuple[tuple[int, ...], ...]


def windowing_tokenizer(tokenizer: Tokenizer, max_length: int) -> Tokenizer:
    """A copy of `tokenizer` that cuts long texts into windows of `max_length` tokens
    overlapping by a quarter (transformers' `return_overflowing_tokens` with a stride does
    the same), and never pads: the forward stage batches rows of one length only."""
    windowing = copy.deepcopy(tokenizer)
    windowing.no_padding()
    windowing.enable_truncation(max_length, stride=max(0, max_length // 4))
    return windowing


def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    """The windowing tokenizer of a model folder's `tokenizer.json`."""
    return windowing_tokenizer(Tokenizer.from_file(str(path)), max_length)


def encode(tokenizer: Tokenizer, text: str) -> Encoding:
    """`tokenizer` comes from `windowing_tokenizer`, which fixes the window length."""
    encoded = tokenizer.encode(encodable(text))
    windows = tuple(tuple(e.ids) for e in [encoded, *encoded.overflowing])
    tokens = tuple(
        Token(
            text=sys.intern(piece),  # word pieces repeat: one string per vocabulary entry
            id=token_id,
            attention=mask,
            span=None if is_special else (int(offset[0]), int(offset[1])),
        )
        for piece, token_id, is_special, offset, mask in zip(
            encoded.tokens,
            encoded.ids,
            encoded.special_tokens_mask,
            encoded.offsets,
            encoded.attention_mask,
            strict=True,
        )
    )
    return Encoding(tokens=tokens, windows=windows)


def encodable(text: str) -> str:
    """`text` with each lone surrogate (which a client's JSON may carry) replaced by U+FFFD.

    The Rust tokenizer refuses a str that is not valid Unicode, and one such character would
    fail the whole document. The replacement is one code point for one, so every token span
    still indexes the original text.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

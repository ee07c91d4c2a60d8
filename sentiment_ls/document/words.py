"""Counting the words of a sentence, for the rule that fragments are not judged."""

from __future__ import annotations

import re

# A word starts with a letter (any script): "v2.1.0" is one word, "0" and "--" are none,
# "don't" and "well-known" are one each.
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")  # \u2019: the typographic apostrophe


def word_count(text: str) -> int:
    return len(_WORD.findall(text))

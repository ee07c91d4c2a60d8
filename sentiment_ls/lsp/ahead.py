"""Which sentences to explain before they are hovered, in which order.

A hover that finds its sentence's word scores ready answers in a few milliseconds; one that
computes them waits for a forward pass per word. So the server explains ahead of time what
the user is likely to hover, most likely first: flagged sentences where the user is (the
visible ranges, around the cursor), the other flagged ones, then every other sentence where
the user is. Not the rest of the document: explaining up to 1,200 sentences of each
document ahead took the serving benchmark's peak RSS from 255 to 394 MB.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from sentiment_ls.document import Sentence

NEAR_CURSOR = 12  # sentences either side of the cursor's
AHEAD_LIMIT = 600  # explanations queued per document; ~5 KB each in the cache


def sentence_at(sentences: Sequence[Sentence], offset: int) -> int | None:
    """The index of the sentence containing `offset`, or of the one after it."""
    if not sentences:
        return None
    index = bisect.bisect_right([s.start for s in sentences], offset) - 1
    return min(max(index, 0), len(sentences) - 1)


def explain_order(
    count: int,
    flagged: Iterable[int],
    visible: Iterable[int],
    cursor: int | None,
    limit: int = AHEAD_LIMIT,
) -> list[int]:
    """Sentence indexes, most likely to be hovered first; each once, at most `limit`."""
    near = set(visible)
    if cursor is not None:
        near.update(range(max(0, cursor - NEAR_CURSOR), min(count, cursor + NEAR_CURSOR + 1)))
    flagged_set = set(flagged)
    anchor = cursor if cursor is not None else (min(near) if near else 0)

    def distance(index: int) -> tuple[int, int]:
        return abs(index - anchor), index

    order = sorted(flagged_set & near, key=distance)
    order += sorted(flagged_set - near, key=distance)
    order += sorted(near - flagged_set, key=distance)
    return order[:limit]

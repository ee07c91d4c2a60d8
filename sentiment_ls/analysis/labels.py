"""Which of a model's labels are negative, found by name through `id2label`, never by index.

Checkpoints name their labels in many ways: NEGATIVE / POSITIVE (SST-2 models), negative /
neutral / positive (3-class), `1 star` ... `5 stars` (review models), LABEL_0 / LABEL_1 (no
names at all). Only names that say what they mean are trusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NEGATIVE = re.compile(r"^(neg(ative)?|very[ _-]?negative|[12][ _-]?stars?)$", re.IGNORECASE)
_POSITIVE = re.compile(r"^(pos(itive)?|very[ _-]?positive|[45][ _-]?stars?)$", re.IGNORECASE)
_NEUTRAL = re.compile(r"^(neu(tral)?|3[ _-]?stars?)$", re.IGNORECASE)


def negative_labels(labels: Iterable[str]) -> list[str]:
    return [label for label in labels if _NEGATIVE.match(label.strip())]


def positive_labels(labels: Iterable[str]) -> list[str]:
    return [label for label in labels if _POSITIVE.match(label.strip())]


def neutral_labels(labels: Iterable[str]) -> list[str]:
    return [label for label in labels if _NEUTRAL.match(label.strip())]


def label_named(name: str, labels: Iterable[str]) -> str | None:
    """The model's own spelling of a label named in any case (`positive` -> `POSITIVE`), as
    `flagLabels` reads names; None when it has no such label."""
    return next((label for label in labels if label.casefold() == name.casefold()), None)


def resolve_flag_labels(
    requested: Iterable[str] | None, labels: list[str]
) -> tuple[frozenset[str], list[str]]:
    """The labels to flag, and problems to report (unknown names, nothing negative found)."""
    if requested is None:
        found = negative_labels(labels)
        if not found:
            return frozenset(), [
                f"the model's labels {labels} name no negative label; set "
                "`sentimentLs.flagLabels` to the labels to flag"
            ]
        return frozenset(found), []
    requested = list(requested)
    by_name = {label.casefold(): label for label in labels}
    chosen = [by_name[name.casefold()] for name in requested if name.casefold() in by_name]
    unknown = [name for name in requested if name.casefold() not in by_name]
    if not unknown:
        return frozenset(chosen), []
    problem = (
        f"`sentimentLs.flagLabels` names labels the model does not have: {unknown}; "
        f"its labels are {labels}"
    )
    if requested and not chosen:
        # A typo must not silently turn every diagnostic off: flag what the default would.
        fallback, _ = resolve_flag_labels(None, labels)
        if fallback:
            problem += f"; flagging its negative labels {sorted(fallback)} instead"
        return fallback, [problem]
    return frozenset(chosen), [problem]

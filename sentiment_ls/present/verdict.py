"""Whether a sentence is flagged, and why not when it is not: the first thing a hover says.

The decision itself is `FlagRule.flags` (sentiment_ls/rules.py), shared with diagnostics and
`check`; this module only names the reason, so that the hover can never disagree with the
squiggle: the reason is FLAGGED exactly when `flags` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.rules import FlagRule
    from sentiment_ls.settings import Settings


class Reason(Enum):
    FLAGGED = "flagged"
    LABEL_NOT_FLAGGED = "label not flagged"  # the policy flags other labels (or none)
    BELOW_THRESHOLD = "below threshold"
    UNSURE = "unsure"  # under the neutral band
    FRAGMENT = "fragment"  # too few words to carry tone: not judged at all
    OTHER = "not flagged"  # the rule declined for a reason this module does not name


@dataclass(frozen=True)
class Verdict:
    reason: Reason
    label: str
    score: float
    rule: FlagRule

    @property
    def flagged(self) -> bool:
        return self.reason is Reason.FLAGGED

    @property
    def judged(self) -> bool:
        return self.reason is not Reason.FRAGMENT

    def explanation(self, policy: str, name: Callable[[str], str] = str) -> str:
        """Why, in a clause that follows "flagged:" or "not flagged:"; `policy` names what
        chose the flagged labels ("the positive tone", "the flagLabels setting"), `name` writes a
        label (escaped for Markdown, say)."""
        rule = self.rule
        if self.reason is Reason.FLAGGED:
            return f"{policy} flags {name(self.label)} at {rule.threshold:.2f} or more"
        if self.reason is Reason.LABEL_NOT_FLAGGED:
            if not rule.labels:
                return f"{policy} flags no label"
            return f"{policy} flags only {', '.join(name(x) for x in sorted(rule.labels))}"
        if self.reason is Reason.BELOW_THRESHOLD:
            return f"{self.score:.2f} is below the threshold {rule.threshold:.2f}"
        if self.reason is Reason.UNSURE:
            return f"the model is unsure (under {rule.neutral_band:.2f}, the neutral band)"
        if self.reason is Reason.FRAGMENT:
            return "a fragment, too few words to carry tone"
        return "the document's rule does not flag it"


def verdict(rule: FlagRule, analysis: SentenceAnalysis) -> Verdict:
    """The reason `rule` flags `analysis` or not. A sentence with too few words to be judged
    (`FlagRule.judges`) is a fragment, whatever the model says of it."""
    prediction = analysis.prediction
    label, score = prediction.label, prediction.score
    if not rule.judges(analysis.text):
        reason = Reason.FRAGMENT
    elif rule.flags(analysis):
        reason = Reason.FLAGGED
    elif label not in rule.labels:
        reason = Reason.LABEL_NOT_FLAGGED
    elif score < rule.neutral_band:
        reason = Reason.UNSURE  # before the threshold: no threshold would flag it
    elif score < rule.threshold:
        reason = Reason.BELOW_THRESHOLD
    else:
        reason = Reason.OTHER
    return Verdict(reason, label, score, rule)


def policy_name(settings: Settings) -> str:
    """What chose the flagged labels of a document with these settings, in words that read
    the same raw and rendered (no markup: the hover's first line must read well in both)."""
    if settings.flagLabels is not None:
        return "the flagLabels setting"
    return f"the {settings.tone} tone"

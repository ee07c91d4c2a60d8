"""What every attribution method explains, what it returns, and the shared unit of its scores.

The explained quantity is the log-odds of one label on the sentence's first window,
`log P(label) - log P(not label)`. Every method reports how much a token (or a word) moves
that quantity: positive supports the label, negative pushes against it.

Normalisation: scores are in nats of log-odds and are not rescaled per sentence. A score of
+1.0 means the word multiplies the odds of the label by e (about 2.7), whichever sentence it is
in and whichever method measured it, so scores compare across sentences. Probabilities are
not used because they saturate: at P = 0.99 removing the decisive word may move P by 0.001
while the log-odds fall by several nats. Dividing by the sentence's largest score would make
every sentence look equally decided, which is what a cross-sentence comparison must avoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import torch

    from sentiment_ls.analysis.loaded_model import LoadedModel
    from sentiment_ls.analysis.preprocess import Encoding

UNIT = "nats of the label's log-odds"


@dataclass(frozen=True)
class Word:
    """Word pieces merged back into what the reader sees as one word."""

    text: str
    span: tuple[int, int]  # [start, end) in the sentence text
    tokens: tuple[int, ...]  # indices into `Encoding.tokens`, in order


@dataclass(frozen=True)
class MethodOptions:
    """Knobs of particular methods; a method ignores those that are not its own."""

    steps: int = 20  # Integrated Gradients: points on the path from the baseline
    # Shapley sampling: orders of the words (half of them the reverses of the others), and the
    # seed of the generator that draws them, so that an explanation is reproducible.
    permutations: int = 8
    seed: int = 0
    # Also score each word piece on its own. Occlusion pays one more variant per piece of a
    # word of several pieces for it; the hover shows words only and turns it off.
    token_view: bool = True
    # Occlusion on the torch runtime runs the float weights in bfloat16 where the processor
    # computes it natively (AMX, AVX512-BF16): about twice as fast, and measured to rank words
    # as float32 does (bench/RESULTS.md). Elsewhere, on GPUs and on onnxruntime, float32.
    reduced_precision: bool = True


@dataclass(frozen=True)
class Scores:
    """A method's raw output. `words` is given by methods that measure words directly
    (occlusion removes a whole word); otherwise a word is the sum of its pieces, which is
    exact for additive methods (gradients times inputs, Integrated Gradients)."""

    # One per token of the first window (None: a special token), or None when the token view
    # was not asked for and the method would have paid for it.
    tokens: tuple[float | None, ...] | None
    words: tuple[float, ...] | None = None  # one per `Word`


class AttributionMethod(Protocol):
    def __call__(
        self,
        loaded: LoadedModel,
        encoding: Encoding,
        words: Sequence[Word],
        label_id: int,
        options: MethodOptions,
        should_stop: Callable[[], bool] | None = None,
    ) -> Scores: ...


@dataclass(frozen=True)
class WordAttribution:
    text: str
    span: tuple[int, int]  # [start, end) in the sentence text
    tokens: tuple[int, ...]  # indices into `Encoding.tokens`
    attribution: float


@dataclass(frozen=True)
class Explanation:
    method: str
    label: str  # the label whose log-odds the scores explain
    # Per token of the first window (None: a special token); None when not asked for.
    token_attributions: tuple[float | None, ...] | None
    words: tuple[WordAttribution, ...]

    def strongest(self, count: int) -> tuple[list[WordAttribution], list[WordAttribution]]:
        """The `count` words that most support the label, and the `count` that most oppose it,
        strongest first."""
        supporting = sorted((w for w in self.words if w.attribution > 0), key=_magnitude)
        opposing = sorted((w for w in self.words if w.attribution < 0), key=_magnitude)
        return supporting[::-1][:count], opposing[::-1][:count]


def _magnitude(word: WordAttribution) -> float:
    return abs(word.attribution)


def label_log_odds(logits: npt.ArrayLike, label_id: int, function: str) -> npt.NDArray[np.float64]:
    """log P(label) - log P(not label), per row of float logits."""
    values = np.asarray(logits, dtype=np.float64)
    if function == "sigmoid":
        return values[:, label_id]  # the logit of an independent sigmoid is its log-odds
    others = np.delete(values, label_id, axis=1)
    peak = others.max(axis=1, keepdims=True)
    log_sum: npt.NDArray[np.float64] = peak[:, 0] + np.log(np.exp(others - peak).sum(axis=1))
    return values[:, label_id] - log_sum


def label_log_odds_torch(logits: torch.Tensor, label_id: int, function: str) -> torch.Tensor:
    """`label_log_odds`, differentiable, for the gradient methods."""
    import torch

    if function == "sigmoid":
        return logits[:, label_id]
    others = torch.cat([logits[:, :label_id], logits[:, label_id + 1 :]], dim=1)
    return logits[:, label_id] - torch.logsumexp(others, dim=1)


def content_indices(encoding: Encoding) -> list[int]:
    """Positions of the tokens that come from the text: special tokens are never scored,
    since the reader cannot change them."""
    return [i for i, token in enumerate(encoding.tokens) if token.span is not None]

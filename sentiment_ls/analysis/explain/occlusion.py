"""Leave-one-out occlusion: remove a word (or a token), see how far the label's log-odds fall.

Every variant of the sentence, with one word removed and with one token removed, runs in one
batch; a score is the log-odds of the full sentence minus those of the variant (positive:
the word supported the label). A word is removed whole rather than scored as the sum of its
pieces, because removing `##ing` alone leaves a stem the model reads differently. Removal
rather than masking with `[MASK]` or `[PAD]`: it is what the faithfulness benchmark does, and
it needs no special token, so any model the forward stage runs (quantized, ONNX) works.
Single-piece words share their variant with their token, so the batch holds one row per
token plus one per word of several pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

from sentiment_ls.analysis.explain.attributions import (
    MethodOptions,
    Scores,
    Word,
    content_indices,
    label_log_odds,
)
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.model_loading import LoadedModel
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.preprocess import Encoding

NAME = "occlusion"


def attribute(
    loaded: LoadedModel,
    encoding: Encoding,
    words: Sequence[Word],
    label_id: int,
    options: MethodOptions,
) -> Scores:
    ids = encoding.windows[0]
    removals = list(
        dict.fromkeys([(i,) for i in content_indices(encoding)] + [w.tokens for w in words])
    )
    variants = [[t for i, t in enumerate(ids) if i not in removed] for removed in removals]
    logits = forward(loaded, [ids, *variants])
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function).tolist()
    drop = {
        removed: log_odds[0] - value for removed, value in zip(removals, log_odds[1:], strict=True)
    }
    return Scores(
        tokens=tuple(drop.get((i,)) for i in range(len(ids))),
        words=tuple(drop[w.tokens] for w in words),
    )

"""Leave-one-out occlusion: remove a word (or a token), see how far the label's log-odds fall.

Every variant of the sentence, with one word removed (and, for the token view, with one token
removed), runs in one batch; a score is the log-odds of the full sentence minus those of the
variant (positive: the word supported the label). A word is removed whole rather than scored
as the sum of its pieces, because removing `##ing` alone leaves a stem the model reads
differently. Removal rather than masking with `[MASK]` or `[PAD]`: it is what the
faithfulness benchmark does, and it needs no special token, so any model the forward stage
runs works. A single-piece word shares its variant with its token, so the token view costs
one more row per piece of a word of several pieces only.

The variants run on the float weights even when verdicts come from an int8 copy (the
`precision` setting on the torch runtime): dynamic quantization scales activations per batch,
so a row's int8 output depends on the other rows in its batch (up to 3 nats of log-odds on one
variant of a measured sentence), which would drown the differences that occlusion measures.
On onnxruntime they run in float32; on torch in bfloat16 where the processor has it natively
(see `torch_runtime`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sentiment_ls.analysis.explain.attributions import (
    MethodOptions,
    Scores,
    Word,
    content_indices,
    label_log_odds,
)
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.preprocess import Encoding
from sentiment_ls.analysis.runtimes import Purpose

NAME = "occlusion"


def attribute(
    loaded: LoadedModel,
    encoding: Encoding,
    words: Sequence[Word],
    label_id: int,
    options: MethodOptions,
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    ids = encoding.windows[0]
    singles = [(i,) for i in content_indices(encoding)] if options.token_view else []
    removals = list(dict.fromkeys(singles + [w.tokens for w in words]))
    variants = [[t for i, t in enumerate(ids) if i not in removed] for removed in removals]
    # The full sentence runs in the same precision as its variants, so that each difference
    # compares like with like.
    purpose: Purpose = "occlusion" if options.reduced_precision else "exact"
    logits = forward(loaded, [ids, *variants], purpose=purpose, should_stop=should_stop)
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function).tolist()
    drop = dict(zip(removals, (log_odds[0] - value for value in log_odds[1:]), strict=True))
    return Scores(
        tokens=tuple(drop.get((i,)) for i in range(len(ids))) if options.token_view else None,
        words=tuple(drop[w.tokens] for w in words),
    )

"""Leave-one-out occlusion: remove a word (or a token), see how far the label's log-odds fall.

Every variant of the sentence, with one word removed (and, for the token view, with one token
removed), runs in one batch; a score is the log-odds of the full sentence minus those of the
variant (positive: the word supported the label). A word is removed whole rather than scored
as the sum of its pieces, because removing `##ing` alone leaves a stem the model reads
differently. Removal rather than masking with `[MASK]` or `[PAD]`: it is what the
faithfulness benchmark does, and it needs no special token, so any model the forward stage
runs works. A single-piece word shares its variant with its token, so the token view costs
one more row per piece of a word of several pieces only.

The variants run on the float weights even when verdicts come from the int8 copy (the
`precision` setting): dynamic quantization scales activations per batch, so a row's int8
output depends on the other rows in its batch (up to 3 nats of log-odds on one variant of a
measured sentence, where float32 differs by 1e-6), which would drown the differences that
occlusion measures. The float weights run in bfloat16 where the processor has it natively:
about twice as fast as float32, and ranking words as float32 does (bench/RESULTS.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Sequence

import torch

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
    singles = [(i,) for i in content_indices(encoding)] if options.token_view else []
    removals = list(dict.fromkeys(singles + [w.tokens for w in words]))
    variants = [[t for i, t in enumerate(ids) if i not in removed] for removed in removals]
    # The full sentence runs in the same batch and precision as its variants, so that each
    # difference compares like with like.
    float_weights = dataclasses.replace(loaded, fast_model=None)
    with precision(float_weights, options):
        logits = forward(float_weights, [ids, *variants])
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function).tolist()
    drop = dict(zip(removals, (log_odds[0] - value for value in log_odds[1:]), strict=True))
    return Scores(
        tokens=tuple(drop.get((i,)) for i in range(len(ids))) if options.token_view else None,
        words=tuple(drop[w.tokens] for w in words),
    )


@functools.cache
def native_bfloat16() -> bool:
    """Whether this processor multiplies bfloat16 matrices in hardware; emulated bfloat16 is
    slower than float32, so it is used only here."""
    capabilities = getattr(torch.cpu, "get_capabilities", None)
    if capabilities is None:  # older torch: no way to tell, stay exact
        return False
    found = capabilities()
    return bool(found.get("amx_bf16") or found.get("avx512_bf16"))


def precision(
    loaded: LoadedModel, options: MethodOptions
) -> contextlib.AbstractContextManager[None]:
    if options.reduced_precision and loaded.device.type == "cpu" and native_bfloat16():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()

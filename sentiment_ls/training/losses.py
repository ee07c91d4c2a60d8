"""The training losses: cross-entropy on gold labels, and the teacher's soft labels.

    gold rows:  (1 - alpha) * CE(gold) + alpha * T^2 * KL(teacher_T || student_T)
    pool rows:  T^2 * KL(teacher_T || student_T)

Hinton et al. (2015): the T^2 factor keeps the soft term's gradients on the scale of the hard
one's whatever the temperature. A row without the teacher's logits trains on gold alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from sentiment_ls.training.mix import LABEL2ID, LabelSpace

NO_GOLD = -1  # the label of a pool row: only the teacher's soft label teaches it


def masked_logits(logits: torch.Tensor, spaces: Sequence[LabelSpace]) -> torch.Tensor:
    """Polarity-only rows (SST-2) compete negative against positive: neutral is masked out."""
    polarity = torch.tensor([s is LabelSpace.POLARITY for s in spaces], device=logits.device)
    mask = torch.zeros_like(logits, dtype=torch.bool)
    mask[:, LABEL2ID["neutral"]] = polarity
    return logits.masked_fill(mask, float("-inf"))


def distillation_loss(
    logits: torch.Tensor,
    gold: torch.Tensor,
    spaces: Sequence[LabelSpace],
    soft: torch.Tensor,
    has_soft: torch.Tensor,
    alpha: float,
    temperature: float,
) -> torch.Tensor:
    """The batch's mean loss: CE on gold rows (polarity rows compare negative with
    positive), KL to the teacher at `temperature` on rows it labelled (see the docstring)."""
    has_gold = gold != NO_GOLD
    per_row = torch.zeros(len(gold), device=logits.device)
    if has_gold.any():
        masked = masked_logits(logits, list(spaces))
        ce = F.cross_entropy(masked[has_gold], gold[has_gold], reduction="none")
        weight = torch.where(has_soft[has_gold], 1.0 - alpha, 1.0)
        per_row[has_gold] = ce * weight
    if has_soft.any():
        student = F.log_softmax(logits[has_soft] / temperature, dim=-1)
        teacher = F.log_softmax(soft[has_soft] / temperature, dim=-1)
        kl = F.kl_div(student, teacher, log_target=True, reduction="none").sum(-1)
        weight = torch.where(has_gold[has_soft], alpha, 1.0)
        per_row[has_soft] += kl * weight * temperature**2
    return per_row.mean()

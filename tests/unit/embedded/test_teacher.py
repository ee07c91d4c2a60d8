"""The MPNet teacher (issue 22), where its folder is given: it loads as any `model` does, and
ranks the issue threads' negative sentences as MODEL.md reports.

The teacher's weights (438 MB) are not in the repository and training it takes half an hour
on two cores (MODEL.md, "The teacher and distillation"), so these run only where
SENTIMENT_LS_TEACHER names its Hugging Face folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sentiment_ls.extras import torch_available

TEACHER = os.environ.get("SENTIMENT_LS_TEACHER", "")
DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"

pytestmark = [
    pytest.mark.skipif(
        not TEACHER,
        reason="the teacher's weights are not in the repository: set SENTIMENT_LS_TEACHER to "
        "the folder `sentiment-ls train --base mpnet-base --mix teacher` writes (MODEL.md)",
    ),
    pytest.mark.skipif(not torch_available(), reason="the teacher runs on the `torch` extra"),
]


def test_the_teacher_loads_as_a_model_setting_and_ranks_issue_threads() -> None:
    from sklearn.metrics import average_precision_score

    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest
    from sentiment_ls.training.data import read_labelled_tsv
    from sentiment_ls.training.mix import LABEL2ID

    engine = SentimentEngine(load_model(LoadRequest(model=TEACHER)))
    assert sorted(engine.loaded.labels) == ["negative", "neutral", "positive"]
    dev = read_labelled_tsv(DATA_DIR / "tone/issues/dev.tsv", LABEL2ID)
    analyses = engine.analyze([e.text for e in dev])
    scores = [a.prediction.probabilities["negative"] for a in analyses]
    truth = [e.label == LABEL2ID["negative"] for e in dev]
    # MODEL.md: 0.871 for the teacher trained once; the embedded student is below 0.84.
    assert average_precision_score(truth, scores) >= 0.86

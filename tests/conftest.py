"""Shared fixtures: the real embedded model, loaded once per test session."""

from __future__ import annotations

import os

import pytest

# Tests never reach the Hugging Face Hub: the embedded model must suffice offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedded_engine():  # type: ignore[no-untyped-def]
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest

    return SentimentEngine(load_model(LoadRequest(model="embedded", device="cpu")))

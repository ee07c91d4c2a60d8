"""The optional parts of sentiment-ls (`pip install 'sentiment-ls[torch]'`, `[ray]`): whether
each is installed, told without importing it, so that `--help`, the plain install and a run
that never needs them stay light. Low in the tree: the analysis layer and the commands ask."""

from __future__ import annotations

import importlib.util

RAY_MISSING = "this needs Ray, which is not installed: `pip install 'sentiment-ls[ray]'`"


def _installed(*modules: str) -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in modules)
    except (ImportError, ValueError):  # a broken or blocked install is a missing one
        return False


def torch_available() -> bool:
    """Whether torch and transformers can be imported (the `torch` extra)."""
    return _installed("torch", "transformers")


def ray_available() -> bool:
    """Whether Ray and the FastAPI its Serve needs can be imported (the `ray` extra)."""
    return _installed("ray", "fastapi")

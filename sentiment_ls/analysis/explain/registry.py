"""The attribution methods by name. A new method is one module with an `attribute` function
(see `AttributionMethod`) and one line here."""

from __future__ import annotations

from sentiment_ls.analysis.explain import (
    grad_x_input,
    integrated_gradients,
    occlusion,
    shapley,
)
from sentiment_ls.analysis.explain.attributions import AttributionMethod

METHODS: dict[str, AttributionMethod] = {
    occlusion.NAME: occlusion.attribute,
    integrated_gradients.NAME: integrated_gradients.attribute,
    grad_x_input.NAME: grad_x_input.attribute,
    shapley.NAME: shapley.attribute,
}

# The method that bench/faithfulness.py shows faithful and readable on confident sentences,
# where leave-one-out occlusion saturates (bench/RESULTS.md).
DEFAULT_METHOD = shapley.NAME

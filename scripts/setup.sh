#!/usr/bin/env bash
# Set up sentiment-ls for development in .venv on a fresh machine: no GPU, no Hugging Face
# cache needed. Everything the tests use: the package with its `torch` and `train` extras
# (the torch runtime, gradient attributions, training, ONNX export) and the dev tools.
# The CPU build of torch goes in first: installing transformers first would make pip pull
# the default (CUDA) torch build, several GB. TORCH_REQUIREMENT overrides the pin.
# The `ray` extra (Ray Serve and Ray Data) is for `serve` and `check --ray`.
# A user who only serves the embedded model needs none of that: `pip install .` (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
TORCH_REQUIREMENT="${TORCH_REQUIREMENT:-torch==2.13.0}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "$TORCH_REQUIREMENT"
.venv/bin/python -m pip install --quiet -e ".[train,ray,dev]"
.venv/bin/sentiment-ls --version

"""The model of a command-line run (`check`, `explain`, `eval`): loaded from the command's
`--model`, `--device`, `--precision` and `--allow-download` options, with what went wrong
or fell back said on stderr, where a compiler-style tool says it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiment_ls.analysis.model_loading import LoadedModel


def load_command_model(args: argparse.Namespace) -> LoadedModel | None:
    """The loaded model, or None once the reason it cannot load is printed."""
    from sentiment_ls.analysis.model_loading import ModelLoadError, load_model

    try:
        loaded = load_model(
            args.model,
            args.device,
            args.allow_download,
            args.precision,
            runtime=getattr(args, "runtime", "auto"),
        )
    except ModelLoadError as error:
        print(f"sentiment-ls: {error}", file=sys.stderr)
        return None
    for warning in loaded.warnings:
        print(f"sentiment-ls: {warning}", file=sys.stderr)
    return loaded

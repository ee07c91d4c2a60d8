"""What every command's options share: value types that say in their message what they
wanted, the model options of `check`, `eval` and `explain`, and the loopback test that the
server's `--tcp` and `serve` apply to a host. The bottom of the command-line floor: `cli`,
`check`, `explain_cli` and `serve/command` import it, and it imports none of them."""

from __future__ import annotations

import argparse
import ipaddress
import math
from collections.abc import Callable

from sentiment_ls.embedded import EMBEDDED_MODEL_ID


def probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def integer_from(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum or (maximum is not None and value > maximum):
            wanted = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
            raise argparse.ArgumentTypeError(f"expected a whole number {wanted}, got {text!r}")
        return value

    return parse


def label_list(text: str) -> list[str]:
    """`--flag-labels negative,neutral`: a comma list, so that no file is read as a label."""
    labels = [label.strip() for label in text.split(",") if label.strip()]
    if not labels:
        raise argparse.ArgumentTypeError(f"expected label names, got {text!r}")
    return labels


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model",
        default=EMBEDDED_MODEL_ID,
        help="`embedded`, a local model folder or a Hugging Face Hub id, read from the local "
        "cache unless --allow-download (default: %(default)s)",
    )
    group.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cpu", "cuda", "mps"],
        help="where the model runs; an unavailable device falls back to the CPU with a "
        "warning (default: %(default)s)",
    )
    group.add_argument(
        "--precision",
        default="fp32",
        choices=["fp32", "int8"],
        help="int8 linear layers on the CPU are ~1.7x faster, but a sentence's score then "
        "depends slightly on the sentences batched with it; torch runtime "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "torch"],
        help="what runs the model: onnxruntime for a model with an ONNX export (the embedded "
        "one), torch otherwise, which needs the sentiment-ls[torch] extra (default: %(default)s)",
    )
    group.add_argument(
        "--allow-download",
        action="store_true",
        help="let a Hub id be downloaded (default: off, only the local cache is read)",
    )
    group.add_argument(
        "--allow-pickle",
        action="store_true",
        help="let a model with pickle weights (pytorch_model.bin) load; unpickling can run "
        "code, so only for a source you trust (default: off, safetensors only)",
    )

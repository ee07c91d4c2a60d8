"""Command line: argument parsing only; each subcommand calls the library.

sentiment-ls                      the language server on stdio
sentiment-ls --tcp --port 2087    the language server on TCP (loopback), for debugging
sentiment-ls check PATH...        findings in files and folders, compiler style
sentiment-ls eval FILE.tsv        accuracy of a model on labelled sentences
sentiment-ls explain "TEXT"       which words pushed each sentence's score (also --file PATH)
sentiment-ls train ...            fine-tune the embedded model
sentiment-ls export-model DIR     the embedded model as a plain Hugging Face folder
sentiment-ls export-onnx [DIR]    the embedded model's graph-only ONNX file (model.graph.onnx)

Nothing heavy is imported to build the parser: `--version` and `--help` load neither torch
nor onnxruntime (a test checks).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sentiment_ls import __version__
from sentiment_ls.embedded import EMBEDDED_MODEL_ID


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=EMBEDDED_MODEL_ID,
        help="`embedded` (default), a local folder or a Hugging Face Hub id",
    )
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    parser.add_argument(
        "--precision",
        default="fp32",
        choices=["fp32", "int8"],
        help="fp32 (default), or int8 linear layers on the CPU: ~1.7x faster, but a "
        "sentence's score then depends slightly on the sentences batched with it",
    )
    parser.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "torch"],
        help="auto (default): onnxruntime for a model with an ONNX export (the embedded one), "
        "torch otherwise; torch needs the sentiment-ls[torch] extra",
    )
    parser.add_argument(
        "--allow-download",
        action="store_true",
        help="let a Hub id be downloaded (off: only the local cache is used)",
    )


def build_parser(train_arguments: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sentiment-ls",
        description="A language server for prose: sentiment per sentence, with the "
        "classification pipeline behind it on hover. With no command, speaks LSP on stdio.",
    )
    parser.add_argument("--version", action="version", version=f"sentiment-ls {__version__}")
    parser.add_argument("--stdio", action="store_true", help="speak LSP on stdio (the default)")
    parser.add_argument("--tcp", action="store_true", help="speak LSP on TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="TCP address (default: loopback)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default: 2087)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="report flagged sentences in files or folders")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument("--threshold", type=float, default=None)
    check.add_argument("--flag-labels", nargs="+", default=None, metavar="LABEL")
    check.add_argument("--tone", default=None, choices=["any", "positive", "neutral"])
    check.add_argument(
        "--severity", default=None, choices=["error", "warning", "information", "hint"]
    )
    check.add_argument(
        "--no-config",
        action="store_true",
        help="ignore .sentiment-ls.toml and [tool.sentiment-ls] in pyproject.toml",
    )
    _model_options(check)

    evaluate = commands.add_parser("eval", help="accuracy, macro-F1 and speed on a TSV file")
    evaluate.add_argument("file", metavar="FILE.tsv")
    evaluate.add_argument("--format", choices=["text", "json"], default="text")
    evaluate.add_argument("--batch-size", type=int, default=32)
    _model_options(evaluate)

    explain = commands.add_parser(
        "explain", help="which words pushed each sentence's score, for a text or a file"
    )
    from sentiment_ls.explain_cli import add_arguments as add_explain_arguments

    add_explain_arguments(explain)
    _model_options(explain)

    train = commands.add_parser("train", help="fine-tune the embedded model (LoRA on MiniLM)")
    if train_arguments:
        # The training module imports torch: only `sentiment-ls train ...` pays for it.
        from sentiment_ls.training.train import add_arguments

        add_arguments(train)

    export = commands.add_parser("export-model", help="write the embedded model to a folder")
    export.add_argument("directory", metavar="DIR")

    onnx = commands.add_parser(
        "export-onnx",
        help="write the embedded model's graph-only ONNX file (needs sentiment-ls[train])",
    )
    onnx.add_argument(
        "directory", metavar="DIR", nargs="?", default=None, help="default: the package's weights"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(train_arguments="train" in argv).parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    if args.command == "check":
        from sentiment_ls.check import run_check

        return run_check(args)
    if args.command == "eval":
        from sentiment_ls.training.evaluate import run_eval

        return run_eval(args)
    if args.command == "explain":
        from sentiment_ls.explain_cli import run_explain

        return run_explain(args)
    if args.command == "train":
        from sentiment_ls.training.train import config_from_args, train

        train(config_from_args(args))
        return 0
    if args.command == "export-model":
        from sentiment_ls.embedded.export import export_model

        print(export_model(args.directory))
        return 0
    if args.command == "export-onnx":
        from pathlib import Path

        from sentiment_ls.embedded.onnx_export import export_embedded_graph

        print(export_embedded_graph(Path(args.directory) if args.directory else None))
        return 0
    from sentiment_ls.lsp.server import build_server

    server = build_server()
    if args.tcp:
        if not _is_loopback(args.host):
            # Any client that reaches the port can have the server read files from disk
            # (sentiment-ls.analyze of a URI that is not open): say so where it is started.
            print(
                f"sentiment-ls: listening on {args.host}:{args.port}, not on loopback: "
                "anyone who can connect can make the server read files you can read",
                file=sys.stderr,
            )
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False

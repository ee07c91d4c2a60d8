"""Command line: argument parsing only; each subcommand calls the library.

sentiment-ls                      the language server on stdio
sentiment-ls --tcp --port 2087    the language server on TCP (loopback), for debugging
sentiment-ls check PATH...        findings in files, folders or stdin, as a linter reports them
sentiment-ls eval FILE.tsv        accuracy of a model on labelled sentences
sentiment-ls explain "TEXT"       which words pushed each sentence's score (also --file PATH)
sentiment-ls train ...            fine-tune the embedded model
sentiment-ls export-model DIR     the embedded model as a plain Hugging Face folder
sentiment-ls export-onnx [DIR]    the embedded model's graph-only ONNX file (model.graph.onnx)
sentiment-ls export-onnx --model FOLDER   the same for a Hugging Face folder, written into it
sentiment-ls serve                the model as a team service (Ray Serve, the `ray` extra)

Nothing heavy is imported to build the parser: `--version` and `--help` load neither torch
nor onnxruntime (a test checks).

A usage error (an unknown option, a value out of range) exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
import typing
from collections.abc import Sequence
from typing import NoReturn

from sentiment_ls import __version__
from sentiment_ls.options import add_model_options, integer_from, is_loopback

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Parser(argparse.ArgumentParser):
    """argparse with a usage error said in one line, exit status 2; subcommands too."""

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


EVAL_DESCRIPTION = """\
Accuracy, macro-F1, the confusion matrix and sentences/s of a model on labelled sentences.

FILE.tsv holds one `sentence<TAB>label` row per line, UTF-8; the label is a class id (0, 1...)
or one of the model's label names, in any case (NEGATIVE, negative). A first row whose label
is `label` is a header and is skipped; blank lines are skipped. The sentence is read as is:
it may not itself hold a tab.

exit status: 0 done; 2 usage error, or the file or the model could not be read.
"""

SERVER_EPILOG = """\
exit status of the server: 0 after LSP `shutdown` then `exit`; 1 on `exit` without
`shutdown` (as LSP says), or when it cannot listen on the TCP port; 2 usage error.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="sentiment-ls",
        description="A language server for prose: sentiment per sentence, with the "
        "classification pipeline behind it on hover. With no command, speaks LSP on stdio.",
        epilog=SERVER_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"sentiment-ls {__version__}")
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="speak LSP on stdio (the default)")
    transport.add_argument(
        "--tcp", action="store_true", help="speak LSP on TCP instead of stdio, for debugging"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="TCP address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=integer_from(0, 65535),
        default=2087,
        help="TCP port; 0 picks a free one, said on stderr (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="WARNING",
        metavar="LEVEL",
        help=f"stderr log level: {', '.join(LOG_LEVELS)}, any case (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    from sentiment_ls.check.arguments import CHECK_DESCRIPTION, CHECK_EPILOG
    from sentiment_ls.check.arguments import add_arguments as add_check_arguments

    check = commands.add_parser(
        "check",
        help="report flagged sentences in files, folders or stdin, as a linter",
        description=CHECK_DESCRIPTION,
        epilog=CHECK_EPILOG,
    )
    add_check_arguments(check)

    evaluate = commands.add_parser(
        "eval",
        help="accuracy, macro-F1 and speed on a TSV file",
        description=EVAL_DESCRIPTION,
    )
    evaluate.add_argument("file", metavar="FILE.tsv", help="sentence<TAB>label rows")
    evaluate.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="a table, or one JSON object (default: %(default)s)",
    )
    evaluate.add_argument(
        "--batch-size",
        type=integer_from(1),
        default=32,
        help="sentences per forward pass (default: %(default)s)",
    )
    evaluate.add_argument(
        "--polarity",
        action="store_true",
        help="the file is two-label (0 negative, 1 positive, as SST-2): on a model with a "
        "neutral class, the higher of its negative and positive probabilities decides "
        "(on by itself when the labels are only 0 and 1 and the model has a neutral class)",
    )
    add_model_options(evaluate)

    explain = commands.add_parser(
        "explain",
        help="which words pushed each sentence's score, for a text or a file",
        description="Every sentence's verdict and the words that pushed it, with signed "
        "scores in nats of the label's log-odds. exit status: 0 done; 2 usage error, or the "
        "file or the model could not be read.",
    )
    from sentiment_ls.explain_cli import add_arguments as add_explain_arguments

    add_explain_arguments(explain)
    add_model_options(explain)

    train = commands.add_parser(
        "train",
        help="fine-tune the embedded three-class tone model (MiniLM-L6)",
        description="Fine-tune the embedded model on the tone and SST-2 data of a shared "
        "data folder (see MODEL.md); checkpoints in --work-dir, resumed when rerun.",
    )
    from sentiment_ls.training.options import add_arguments

    add_arguments(train)

    export = commands.add_parser(
        "export-model",
        help="write the embedded model to a folder",
        description="Write the embedded model as an ordinary Hugging Face model folder.",
    )
    export.add_argument("directory", metavar="DIR", help="the folder to write (created)")

    serve = commands.add_parser(
        "serve",
        help="serve the model to a team over HTTP (Open Inference Protocol v2, Ray Serve)",
        description="Run the model as a service on Ray Serve (the `ray` extra): "
        "POST /v2/models/sentiment-ls/infer takes token ids and gives logits. Bearer tokens "
        "from SENTIMENT_LS_SERVICE_TOKEN (the clients' variable), SENTIMENT_LS_SERVICE_TOKENS "
        "(comma-separated) or --tokens-file; without any, only loopback.",
    )
    from sentiment_ls.serve.command import add_arguments as add_serve_arguments

    add_serve_arguments(serve)

    onnx = commands.add_parser(
        "export-onnx",
        help="write the embedded model's graph-only ONNX file (needs sentiment-ls[train])",
        description="Export the embedded model's graph, without weights, as model.graph.onnx.",
    )
    onnx.add_argument(
        "directory", metavar="DIR", nargs="?", default=None, help="default: the package's weights"
    )
    onnx.add_argument(
        "--model",
        metavar="FOLDER",
        default=None,
        help="export this Hugging Face folder's model into the folder instead (its "
        "model.safetensors stays the weights), e.g. a teacher to `serve --model` "
        "(default: the embedded model)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr)
    if args.command == "check":
        from sentiment_ls.check.run import run_check

        return run_check(args)
    if args.command == "eval":
        from sentiment_ls.training.evaluate import run_eval

        return run_eval(args)
    if args.command == "explain":
        from sentiment_ls.explain_cli import run_explain

        return run_explain(args)
    if args.command == "train":
        from sentiment_ls.training.options import config_from_args
        from sentiment_ls.training.train import train

        train(config_from_args(args))
        return 0
    if args.command == "serve":
        from sentiment_ls.serve.command import run_serve

        return run_serve(args)
    if args.command == "export-model":
        from sentiment_ls.embedded.export import export_model

        print(export_model(args.directory))
        return 0
    if args.command == "export-onnx":
        from pathlib import Path

        from sentiment_ls.embedded.onnx_export import export_embedded_graph, export_folder_graph

        if args.model:
            print(export_folder_graph(Path(args.model)))
        else:
            print(export_embedded_graph(Path(args.directory) if args.directory else None))
        return 0
    from sentiment_ls.allocator import hold_mmap_threshold

    # The server's RSS under edits, before the model's buffers are allocated. Only the
    # server's: in `check` the held threshold mapped and unmapped every activation buffer,
    # and cost 40 % of its speed (issue 18). Returning free pages with malloc_trim when the
    # workers fell idle instead was measured too: +62 MB in bench/load.py's 180 s, against
    # +29 MB held.
    hold_mmap_threshold()
    from sentiment_ls.analysis import preload

    preload.start()  # the default model loads while the server's modules import
    from sentiment_ls.lsp.server import build_server

    server = build_server()
    if args.tcp:
        from sentiment_ls.lsp.tcp import serve_tcp

        if not is_loopback(args.host):
            # Any client that reaches the port can have the server read files from disk
            # (sentiment-ls.analyze of a URI that is not open): say so where it is started.
            print(
                f"sentiment-ls: --host {args.host} is not on loopback: anyone who can "
                "connect can make the server read files you can read",
                file=sys.stderr,
            )
        return serve_tcp(server, args.host, args.port)
    server.start_io()
    return 0

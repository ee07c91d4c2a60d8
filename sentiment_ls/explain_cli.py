"""`sentiment-ls explain`: predictions and word attributions for a text or a file, as the
`sentiment-ls.analyze` command's JSON object or as a table for a terminal."""

from __future__ import annotations

import argparse
import json
import sys
import typing

from sentiment_ls.options import integer_from
from sentiment_ls.settings import ExplainMethod, Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the text to explain (plain text)")
    source.add_argument("--file", metavar="PATH", help="explain every sentence of this file")
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="a table per sentence, or the sentiment-ls.analyze command's JSON object "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--method",
        choices=typing.get_args(ExplainMethod),
        default=None,
        help=f"attribution method (default: {Settings().explainMethod}, which the benchmarks "
        "show faithful and readable on confident sentences)",
    )
    parser.add_argument(
        "--label",
        default=None,
        help="explain this label of the model, in any case (default: each sentence's "
        "predicted label)",
    )
    parser.add_argument(
        "--steps",
        type=integer_from(1, 256),
        default=20,
        help="integration steps of integrated-gradients, 1 to 256 (default: %(default)s)",
    )
    parser.add_argument(
        "--position-encoding",
        choices=["utf-16", "utf-8", "utf-32"],
        default="utf-16",
        help="units of the JSON ranges' characters (default: utf-16, as LSP)",
    )


def run_explain(args: argparse.Namespace) -> int:
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.explain import (
        DEFAULT_METHOD,
        MethodOptions,
        UnknownLabel,
        UnknownMethod,
    )
    from sentiment_ls.command_model import load_command_model
    from sentiment_ls.document import LineIndex, document_sentences, language_of
    from sentiment_ls.present.attributions import ExplainedSentence, analysis_json, explained_text

    if args.file is None and not args.text.strip():
        # Nothing to explain is a mistake in the command line, not an empty report.
        print("sentiment-ls explain: the text to explain is empty", file=sys.stderr)
        return 2
    if args.file is not None:
        try:
            with open(args.file, encoding="utf-8") as handle:
                source = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            print(f"sentiment-ls: cannot read {args.file}: {error}", file=sys.stderr)
            return 2
        language = language_of(args.file) or "plaintext"
    else:
        source, language = args.text, "plaintext"
    loaded = load_command_model(args)
    if loaded is None:
        return 2
    engine = SentimentEngine(loaded)
    sentences = document_sentences(source, language)
    analyses = engine.analyze([s.text for s in sentences])
    method = args.method or DEFAULT_METHOD
    try:
        items = [
            ExplainedSentence(
                sentence,
                analysis,
                engine.explain(analysis, args.label, method, MethodOptions(steps=args.steps)),
            )
            for sentence, analysis in zip(sentences, analyses, strict=True)
        ]
    except (UnknownLabel, UnknownMethod) as error:
        print(f"sentiment-ls: {error}", file=sys.stderr)
        return 2
    index = LineIndex(source)
    if args.format == "json":
        report = analysis_json(
            engine.model_id, engine.loaded.labels, method, items, index, args.position_encoding
        )
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(explained_text(items, index, engine.model_id))
    return 0

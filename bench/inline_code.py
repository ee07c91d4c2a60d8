"""What the model should read where a sentence has inline code: measured on the docs dev split.

Markdown's inline code (`` `--verbose` ``) is not prose, but cutting it out leaves holes ("the
sample has some ( for machines)"). The docs dev split holds real documentation sentences whose
code-like spans (command-line flags, dotted or snake_case names, calls, paths, file names) were
written without backticks; each such sentence is scored with those spans read four ways:
verbatim, removed (the old behaviour), and replaced by a placeholder word. Reported: macro-F1
and the negative flag's precision and recall over those sentences, by the default rule.

    .venv/bin/python bench/inline_code.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, plain_arguments, write_section
from tone import DATA_DIR, Row, dev_split, fmt, scores

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import Settings

CODE_LIKE = re.compile(
    r"(?<![\w`])("
    r"--?[a-z][\w-]+"  # --verbose, -rf
    r"|[A-Za-z_]\w*\(\)"  # call()
    r"|[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)+(?:\(\))?"  # site.url, jQuery.ajax (not "i.e")
    r"|[a-z]+_[a-z_]+"  # snake_case
    r"|\.{0,2}/[\w.-]+(?:/[\w.-]+)*"  # /assets/main.scss, ./bin
    r"|[A-Za-z_][\w.-]*/[\w./-]*\.[a-z]{1,4}"  # tokio/src/lib.rs (not "and/or")
    r")(?![\w`])"
)
READINGS = {
    "verbatim": lambda code: code,
    "removed": lambda code: "",
    "placeholder `code`": lambda code: "code",
    "placeholder `x`": lambda code: "x",
}


def read_as(text: str, reading: str) -> str:
    replaced = CODE_LIKE.sub(lambda m: READINGS[reading](m.group(0)), text)
    return re.sub(r"\s{2,}", " ", replaced).strip()


def main() -> None:
    args = plain_arguments(__doc__)
    rows = [r for r in dev_split(DATA_DIR, "tone/docs/dev.tsv") if CODE_LIKE.search(r.text)]
    engine = SentimentEngine(load_model(LoadRequest(model="embedded")))
    rule, _ = rule_for(Settings(), engine.loaded.labels)
    lines = [
        "## What the model reads for inline code (`bench/inline_code.py`)",
        "",
        machine_line(),
        "",
        f"{len(rows)} sentences of the docs dev split with code-like spans "
        f"({sum(r.label == 'negative' for r in rows)} negative), the default model and rule.",
        "",
        "| inline code read as | accuracy | macro-F1 | flagged | flag precision | flag recall |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for reading in READINGS:
        variants = [Row(read_as(r.text, reading), r.label, r.clear) for r in rows]
        result = scores(variants, engine.analyze([v.text for v in variants]), rule)
        lines.append(
            f"| {reading} | {fmt(result.accuracy)} | {fmt(result.macro_f1)} | {result.flagged} | "
            f"{fmt(result.precision)} | {fmt(result.recall)} |"
        )
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("inline-code", body)


if __name__ == "__main__":
    main()

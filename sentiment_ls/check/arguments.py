"""The options of `sentiment-ls check`: paths, the team service and cluster, output, when
the run fails, input, rules, cache and model. Every option may come before or after the paths
(`check --ray docs/` and `check docs/ --ray` alike): none takes an optional value."""

from __future__ import annotations

import argparse

from sentiment_ls.document import SUPPORTED_LANGUAGES
from sentiment_ls.options import add_model_options, integer_from, label_list, probability
from sentiment_ls.present.check_formats import FORMATS
from sentiment_ls.settings import Settings

RAY_TIMEOUT_S = 120  # --ray's wait for a free CPU on a shared cluster, and for its first actor

CHECK_DESCRIPTION = """\
Report the sentences whose tone misses their document's target tone, as a linter does:
one finding per sentence, in the format of --format, then a summary line.

Folders are walked for the files whose kind is known (Markdown, reST, LaTeX, HTML, text,
comments in source code...), skipping hidden files, dependency folders and what git ignores
(.gitignore, .git/info/exclude) inside a git repository; files named on the command line are
read whatever their name. `-` reads standard input as --language. The project file that
governs each file (.sentiment-ls.toml or [tool.sentiment-ls] in pyproject.toml) sets its
rules and its `exclude` list, and wins over these options (--no-config ignores it).
"""

CHECK_EPILOG = """\
exit status:
  0  nothing flagged that fails the run (see --fail-on and --max-findings)
  1  findings at or above --fail-on, more of them than --max-findings
  2  usage error, or a path, the input or the model could not be read
"""


def add_arguments(check: argparse.ArgumentParser) -> None:
    defaults = Settings()

    check.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files and folders to check; `-` for standard input",
    )
    team = check.add_argument_group("team service and cluster (the `ray` extra for --ray)")
    team.add_argument(
        "--service",
        metavar="URL",
        default=None,
        help="send the forward passes to this service's base URL (http://127.0.0.1:8000); "
        "only token ids leave the machine; the token from --service-token-env (default: none, "
        "the model runs here)",
    )
    team.add_argument(
        "--service-mode",
        choices=["prefer", "require"],
        default="require",
        help="on a service error: `require` fails the run (exit 2), `prefer` finishes it "
        "with the local model (default: %(default)s)",
    )
    team.add_argument(
        "--service-token-env",
        metavar="NAME",
        default="SENTIMENT_LS_SERVICE_TOKEN",
        help="the environment variable holding the bearer token (default: %(default)s)",
    )
    # A flag, not an option with an optional value: `check --ray docs/` must not read
    # `docs/` as the cluster's address.
    team.add_argument(
        "--ray",
        action="store_true",
        help="run as a Ray Data job, on the cluster of --ray-address, else on a local one; "
        "the same report (default: off, no Ray)",
    )
    team.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        default=None,
        help="the Ray cluster that --ray joins (ray://head:10001, or auto) (default: Ray's "
        "RAY_ADDRESS environment variable, else a local cluster started for the run)",
    )
    team.add_argument(
        "--ray-timeout",
        metavar="SECONDS",
        type=integer_from(1),
        default=None,
        help="how long --ray waits for a free CPU and its first actor before it gives up "
        f"(exit 2) (default: {RAY_TIMEOUT_S})",
    )
    output = check.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="text: compiler-style lines and a summary; json: every finding with its "
        "probabilities; github: GitHub Actions annotations; sarif: SARIF 2.1.0 for "
        "code-scanning dashboards; junit: JUnit XML (default: %(default)s)",
    )
    output.add_argument("-q", "--quiet", action="store_true", help="findings only, no summary line")
    output.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="ANSI colours in text output; auto: on a terminal, unless NO_COLOR is set "
        "(default: %(default)s)",
    )
    failing = check.add_argument_group("when the run fails")
    failing.add_argument(
        "--fail-on",
        choices=["error", "warning", "information", "hint", "never"],
        default="hint",
        help="the lowest severity whose findings fail the run; `never`: always exit 0 "
        "unless something could not be read (default: %(default)s, every finding)",
    )
    failing.add_argument(
        "--max-findings",
        type=integer_from(0),
        default=0,
        metavar="N",
        help="exit 1 only when more than N findings reach --fail-on (default: %(default)s)",
    )
    selection = check.add_argument_group("input")
    selection.add_argument(
        "--language",
        choices=sorted(SUPPORTED_LANGUAGES),
        default="plaintext",
        metavar="LANGUAGE_ID",
        help="the format of standard input (`-`), as an LSP languageId: "
        f"{', '.join(sorted(SUPPORTED_LANGUAGES))} (default: %(default)s)",
    )
    selection.add_argument(
        "--no-config",
        action="store_true",
        help="ignore .sentiment-ls.toml and [tool.sentiment-ls] in pyproject.toml",
    )
    rules = check.add_argument_group(
        "rules", "The project file that governs a file wins over these for the keys it sets."
    )
    rules.add_argument(
        "--threshold",
        type=probability,
        default=None,
        metavar="P",
        help="probability from 0 to 1 at or above which a flagged label becomes a finding "
        f"(default: {defaults.threshold})",
    )
    rules.add_argument(
        "--tone",
        default=None,
        choices=["positive", "neutral", "any"],
        help="how documents should read: positive flags negative sentences, neutral strong "
        f"sentiment of either sign, any nothing unless --flag-labels (default: {defaults.tone})",
    )
    rules.add_argument(
        "--flag-labels",
        type=label_list,
        action="extend",
        default=None,
        metavar="LABEL[,LABEL...]",
        help="flag these labels of the model (any case) whatever the tone; repeat or "
        "separate with commas (default: as --tone says)",
    )
    rules.add_argument(
        "--severity",
        default=None,
        choices=["error", "warning", "information", "hint"],
        help=f"the severity of findings (default: {defaults.severity})",
    )
    cache = check.add_argument_group(
        "cache",
        "Each sentence's model scores are kept between runs, under the model's identity (its "
        "files' hashes, runtime, precision, device): an unchanged sentence is not analysed "
        "again, and a run whose every sentence is known loads no model.",
    )
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    cache.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="where the cache lives (default: .sentiment-ls-cache in the project root: the "
        "nearest folder up from here with .git, pyproject.toml or .sentiment-ls.toml, else "
        "the current folder)",
    )
    add_model_options(check)

"""The command line's options: each says what it does and its default, values are parsed
so that nothing is swallowed, and messages name flags rather than editor settings."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

import sentiment_ls
from sentiment_ls.check.terminal import use_color
from sentiment_ls.cli import build_parser
from sentiment_ls.command_model import command_line_wording


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"sentiment-ls": parser, **subparsers.choices}


@pytest.mark.parametrize("command", ["sentiment-ls", "check", "eval", "explain", "train", "serve"])
def test_every_option_has_help_and_says_its_default(command: str) -> None:
    parser = _commands()[command]
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)) or not (
            action.option_strings
        ):
            continue
        name = action.option_strings[-1]
        assert action.help, f"{command} {name} has no help"
        # A required option, or one of a required either-or (explain's TEXT or --file), has
        # no default to say.
        either_or = any(
            group.required and action in group._group_actions
            for group in parser._mutually_exclusive_groups
        )
        if not (isinstance(action, argparse._StoreTrueAction) or either_or or action.required):
            assert "default" in action.help, f"{command} {name} does not say its default"
    text = parser.format_help()
    assert "%(default)" not in text


def test_check_help_lists_the_exit_status_and_eval_help_the_file_format() -> None:
    commands = _commands()
    check = commands["check"].format_help()
    assert "exit status:\n  0  nothing flagged" in check
    assert "  2  usage error" in check
    assert "{text,json,github,sarif,junit}" in check
    evaluate = commands["eval"].format_help()
    assert "`sentence<TAB>label` row per line" in evaluate and "header" in evaluate
    assert "exit status of the server:" in commands["sentiment-ls"].format_help()


def test_flag_labels_take_commas_or_repeats_and_never_a_path() -> None:
    args = build_parser().parse_args(
        ["check", "--flag-labels", "negative", "notes.md", "--flag-labels", "neutral,very bad"]
    )
    assert args.paths == ["notes.md"]
    assert args.flag_labels == ["negative", "neutral", "very bad"]
    assert build_parser().parse_args(["check", "x.md"]).flag_labels is None


def test_log_level_and_choices_in_any_case() -> None:
    assert build_parser().parse_args(["--log-level", "debug"]).log_level == "DEBUG"


def test_train_writes_outside_the_package_unless_told(tmp_path: Path) -> None:
    from sentiment_ls.training.options import config_from_args

    args = build_parser().parse_args(["train", "--data-dir", "d", "--work-dir", str(tmp_path)])
    out = Path(config_from_args(args).out)
    assert out == tmp_path / "model"
    package = Path(sentiment_ls.__file__).resolve().parent
    assert package not in out.resolve().parents
    told = build_parser().parse_args(["train", "--data-dir", "d", "--out", "elsewhere"])
    assert config_from_args(told).out == "elsewhere"


def test_messages_for_the_editor_name_flags_on_the_command_line() -> None:
    assert (
        command_line_wording(
            "downloads are off: set `sentimentLs.allowDownload` to true to fetch it from the Hub"
        )
        == "downloads are off: pass `--allow-download` to fetch it from the Hub"
    )
    assert (
        command_line_wording(
            "name no negative label; set `sentimentLs.flagLabels` to the labels to flag"
        )
        == "name no negative label; set `--flag-labels` to the labels to flag"
    )


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", _Stream(tty=True))
    assert not use_color("auto", _Stream(tty=False))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", _Stream(tty=True))
    assert use_color("always", _Stream(tty=False))  # the user's flag wins over NO_COLOR
    monkeypatch.setenv("NO_COLOR", "")  # an empty NO_COLOR does not count (no-color.org)
    assert use_color("auto", _Stream(tty=True))
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color("auto", _Stream(tty=True))
    assert not use_color("never", _Stream(tty=True))


def test_explain_takes_a_label_in_any_case() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentiment_ls",
            "explain",
            "The movie was terrible.",
            "--label",
            "positive",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "words toward positive" in completed.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--ray", "--no-cache", "--format", "json", "-q", "docs/", "notes.md"],
        ["check", "docs/", "notes.md", "--ray", "--no-cache", "--format", "json", "-q"],
        ["check", "--ray", "--format", "json", "docs/", "notes.md", "-q", "--no-cache"],
    ],
)
def test_ray_and_every_option_before_or_after_the_paths(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.paths == ["docs/", "notes.md"]  # never read as the cluster's address
    assert (args.ray, args.ray_address, args.no_cache, args.format, args.quiet) == (
        True,
        None,
        True,
        "json",
        True,
    )


def test_the_ray_address_is_an_option_of_its_own() -> None:
    args = build_parser().parse_args(["check", "docs/", "--ray", "--ray-address", "auto"])
    assert (args.paths, args.ray, args.ray_address) == (["docs/"], True, "auto")
    assert build_parser().parse_args(["check", "docs/"]).ray is False


def test_the_ray_timeout_is_whole_seconds_of_a_ray_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sentiment_ls.cli import main

    args = build_parser().parse_args(["check", "docs/", "--ray", "--ray-timeout", "30"])
    assert (args.paths, args.ray, args.ray_timeout) == (["docs/"], True, 30)
    assert build_parser().parse_args(["check", "docs/"]).ray_timeout is None  # 120 s
    with pytest.raises(SystemExit):
        build_parser().parse_args(["check", "docs/", "--ray", "--ray-timeout", "0"])
    assert "expected a whole number >= 1, got '0'" in capsys.readouterr().err
    assert main(["check", str(tmp_path), "--ray-timeout", "30"]) == 2
    assert "--ray-timeout: the wait of a --ray run; pass --ray too" in capsys.readouterr().err

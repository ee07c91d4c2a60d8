"""The model of a command-line run (`check`, `explain`, `eval`): loaded from the command's
`--model`, `--device`, `--precision`, `--allow-download` and `--allow-pickle` options, with
what went wrong or fell back said on stderr, where a compiler-style tool says it."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiment_ls.analysis.loaded_model import LoadedModel
    from sentiment_ls.analysis.request import LoadRequest

_SET_TO_TRUE = re.compile(r"set `sentimentLs\.(\w+)` to true")
_SETTING = re.compile(r"`sentimentLs\.(\w+)`")
_EDITOR_ENVIRONMENT = "the editor's environment"  # where a team service's token is read


def _flag(setting: str) -> str:
    return "--" + re.sub(r"(?<!^)([A-Z])", r"-\1", setting).lower()


def command_line_wording(message: str) -> str:
    """A message written for editor users, worded for the command line: a setting is named
    as the flag that sets it (`set sentimentLs.allowDownload to true` -> `pass
    --allow-download`; `sentimentLs.flagLabels` -> `--flag-labels`; the editor's environment
    -> this command's)."""
    message = message.replace(_EDITOR_ENVIRONMENT, "this command's environment")
    message = _SET_TO_TRUE.sub(lambda match: f"pass `{_flag(match[1])}`", message)
    return _SETTING.sub(lambda match: f"`{_flag(match[1])}`", message)


def command_request(args: argparse.Namespace) -> LoadRequest:
    """What the command's options ask to load: a batch run (every core), through a service
    when `--service` names one."""
    from sentiment_ls.analysis.request import CHECK_TIMEOUT_S, LoadRequest, TeamService

    url = getattr(args, "service", None)
    service = None
    if url:
        service = TeamService(url, args.service_token_env, args.service_mode, CHECK_TIMEOUT_S)
    return LoadRequest(
        model=args.model,
        device=args.device,
        allow_download=args.allow_download,
        precision=args.precision,
        allow_pickle=args.allow_pickle,
        team_service=service,
        runtime=getattr(args, "runtime", "auto"),
        batch=True,  # a command that ends: every core (runtimes/ort.py)
    )


def load_command_model(args: argparse.Namespace) -> LoadedModel | None:
    """The loaded model, or None once the reason it cannot load is printed."""
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import ModelLoadError

    try:
        loaded = load_model(command_request(args))
    except ModelLoadError as error:
        print(f"sentiment-ls: {command_line_wording(str(error))}", file=sys.stderr)
        return None
    for warning in loaded.warnings:
        print(f"sentiment-ls: {command_line_wording(warning)}", file=sys.stderr)
    _say_service_news(loaded)
    return loaded


def _say_service_news(loaded: LoadedModel) -> None:
    from sentiment_ls.analysis.runtimes.remote import RemoteRuntime

    if isinstance(loaded.runtime, RemoteRuntime):
        runtime = loaded.runtime
        runtime.notify = lambda message, _: print(
            f"sentiment-ls: {command_line_wording(message)}", file=sys.stderr
        )

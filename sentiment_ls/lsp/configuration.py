"""Settings layered as clients send them: defaults <- initializationOptions <- the
`sentimentLs` section (pushed in didChangeConfiguration or pulled with workspace/configuration)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentiment_ls.analysis.request import LoadRequest, TeamService
from sentiment_ls.settings import SECTION, Settings, SettingsResult, parse_settings


class SettingsLayers:
    def __init__(self) -> None:
        self.initialization: Mapping[str, Any] | None = None
        self.section: Mapping[str, Any] | None = None

    def effective(self) -> SettingsResult:
        first = parse_settings(self.initialization)
        second = parse_settings(self.section, base=first.settings)
        return SettingsResult(second.settings, first.problems + second.problems)


def section_of(pushed: Any) -> Mapping[str, Any] | None:
    """The `sentimentLs` object of a didChangeConfiguration payload, if it carries one."""
    if isinstance(pushed, Mapping):
        section = pushed.get(SECTION)
        if isinstance(section, Mapping):
            return section
    return None


def needs_reload(old: Settings, new: Settings) -> bool:
    return model_request(old) != model_request(new)


def model_request(settings: Settings) -> LoadRequest:
    """The model the settings ask for: what the server loads, and reloads when it changes."""
    return LoadRequest(
        model=settings.model,
        device=settings.device,
        allow_download=settings.allowDownload,
        precision=settings.precision,
        allow_pickle=settings.allowPickle,
        runtime=settings.runtime,
        team_service=team_service(settings),
    )


def team_service(settings: Settings) -> TeamService | None:
    """The team service to use, if the user set a URL and a mode other than `off`."""
    service = settings.service
    if service.url is None or service.mode == "off":
        return None
    return TeamService(service.url, service.tokenEnv, service.mode)

"""Settings layered as clients send them: defaults <- initializationOptions <- the
`sentimentLs` section (pushed in didChangeConfiguration or pulled with workspace/configuration)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentiment_ls.analysis.spec import ModelSpec, ServiceSpec
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
    return model_spec(old) != model_spec(new)


def model_spec(settings: Settings) -> ModelSpec:
    return ModelSpec(
        settings.model,
        settings.device,
        settings.allowDownload,
        settings.precision,
        settings.allowPickle,
        settings.runtime,
        service_spec(settings),
    )


def service_spec(settings: Settings) -> ServiceSpec | None:
    """The service to use, if the user set a URL and a mode other than `off`."""
    service = settings.service
    if service.url is None or service.mode == "off":
        return None
    return ServiceSpec(service.url, service.tokenEnv, service.mode)

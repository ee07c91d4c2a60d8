from sentiment_ls.lsp.configuration import SettingsLayers, section_of
from sentiment_ls.settings import Settings, parse_settings


def test_defaults() -> None:
    settings = parse_settings({}).settings
    assert settings == Settings()
    assert settings.model == "embedded"
    assert settings.severity == "information"


def test_valid_values_apply() -> None:
    result = parse_settings(
        {
            "threshold": 0.5,
            "severity": "warning",
            "flagLabels": ["POSITIVE"],
            "languages": ["markdown"],
            "device": "cpu",
        }
    )
    assert result.problems == []
    assert result.settings.threshold == 0.5
    assert result.settings.flagLabels == ("POSITIVE",)
    assert result.settings.languages == ("markdown",)


def test_each_bad_value_falls_back_alone_and_is_reported() -> None:
    result = parse_settings(
        {
            "threshold": "high",
            "severity": "loud",
            "languages": "markdown",
            "debounceMs": True,
            "device": "tpu",
            "model": "",
            "nope": 1,
            "flagLabels": ["NEGATIVE"],
        }
    )
    settings = result.settings
    assert settings.threshold == Settings().threshold
    assert settings.severity == "information"
    assert settings.languages == Settings().languages
    assert settings.debounceMs == 300
    assert settings.device == "auto"
    assert settings.model == "embedded"
    assert settings.flagLabels == ("NEGATIVE",)  # the good value still applies
    text = "\n".join(result.problems)
    for name in ("threshold", "severity", "languages", "debounceMs", "device", "model", "nope"):
        assert f"sentimentLs.{name}" in text
    assert len(result.problems) == 7


def test_out_of_range_threshold_is_refused() -> None:
    result = parse_settings({"threshold": 1.5})
    assert result.settings.threshold == Settings().threshold
    assert "between 0 and 1" in result.problems[0]


def test_non_object_settings_are_reported() -> None:
    result = parse_settings(["threshold", 0.5])  # type: ignore[arg-type]
    assert result.settings == Settings()
    assert "must be an object" in result.problems[0]


def test_layers_section_overrides_initialization_options_and_unsets_revert() -> None:
    layers = SettingsLayers()
    layers.initialization = {"threshold": 0.6, "severity": "hint"}
    layers.section = {"threshold": 0.7}
    assert layers.effective().settings.threshold == 0.7
    assert layers.effective().settings.severity == "hint"
    layers.section = {}
    assert layers.effective().settings.threshold == 0.6


def test_section_of_pushed_settings() -> None:
    assert section_of({"sentimentLs": {"threshold": 0.5}}) == {"threshold": 0.5}
    assert section_of({"other": {}}) is None
    assert section_of(None) is None


def test_a_string_is_not_a_boolean() -> None:
    """Regression: cattrs turned any non-empty string into True, so "false" allowed
    downloads and pickle weights."""
    result = parse_settings({"allowDownload": "false", "allowPickle": "no", "codeLens": 1})
    assert result.settings.allowDownload is False
    assert result.settings.allowPickle is False
    assert len(result.problems) == 3
    assert all("expected true or false" in problem for problem in result.problems)


def test_size_limit_bounds() -> None:
    assert parse_settings({"maxDocumentChars": 5_000}).settings.maxDocumentChars == 5_000
    result = parse_settings({"maxDocumentChars": 10})
    assert result.settings.maxDocumentChars == Settings().maxDocumentChars
    assert "maxDocumentChars" in result.problems[0]

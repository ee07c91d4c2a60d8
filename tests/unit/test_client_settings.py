"""The VS Code extension's contributed settings mirror `Settings`: same names, defaults,
types, enums and ranges, so that a setting added to the server without the extension (or the
reverse) fails here, not in a user's editor."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from sentiment_ls.document import SUPPORTED_LANGUAGES
from sentiment_ls.settings import _RANGES, SECTION, Settings, settings_to_json

PACKAGE = Path(__file__).resolve().parents[2] / "client" / "package.json"
CLIENT_ONLY = ("server.", "trace.")  # how the extension starts the server; never sent to it
FIX = "edit client/package.json `contributes.configuration` to match sentiment_ls/settings.py"


def manifest() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(PACKAGE.read_text(encoding="utf-8"))
    return result


def contributed() -> dict[str, dict[str, Any]]:
    properties = manifest()["contributes"]["configuration"]["properties"]
    prefix = f"{SECTION}."
    assert all(key.startswith(prefix) for key in properties), list(properties)
    return {
        key[len(prefix) :]: schema
        for key, schema in properties.items()
        if not key[len(prefix) :].startswith(CLIENT_ONLY)
    }


def expected_schema(annotation: Any) -> dict[str, Any]:
    """The JSON-schema type (and enum, items) that VS Code needs for a field's annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert len(members) == 1, annotation
        inner = expected_schema(members[0])
        return {**inner, "type": [inner["type"], "null"]}
    if origin is typing.Literal:
        values = list(typing.get_args(annotation))
        assert all(isinstance(v, str) for v in values), annotation
        return {"type": "string", "enum": values}
    if origin is tuple:
        item, ellipsis = typing.get_args(annotation)
        assert ellipsis is Ellipsis, annotation
        return {"type": "array", "items": expected_schema(item)}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    assert annotation in simple, f"no JSON-schema mapping for {annotation!r}: add one here"
    return {"type": simple[annotation]}


def _flat_hints() -> dict[str, Any]:
    """Each setting's annotation; a group of settings (a dataclass, as `service`) is
    contributed key by key, as `service.url`."""
    hints: dict[str, Any] = {}
    for name, annotation in typing.get_type_hints(Settings).items():
        if dataclasses.is_dataclass(annotation):
            for inner, hint in typing.get_type_hints(annotation).items():
                hints[f"{name}.{inner}"] = hint
        else:
            hints[name] = annotation
    return hints


HINTS = _flat_hints()
FIELDS = set(HINTS)


def default_of(name: str) -> Any:
    value: Any = settings_to_json(Settings())
    for part in name.split("."):
        value = value[part]
    return value


def test_every_server_setting_is_contributed_and_nothing_else() -> None:
    names = set(contributed())
    assert names - FIELDS == set(), f"contributed but not a server setting; {FIX}"
    assert FIELDS - names == set(), f"server settings missing from the extension; {FIX}"


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_default_matches(name: str) -> None:
    schema = contributed().get(name)
    if schema is None:
        pytest.fail(f"`{SECTION}.{name}` is not contributed; {FIX}")
    default = json.loads(json.dumps(default_of(name)))
    assert "default" in schema, f"`{SECTION}.{name}` has no default; {FIX}"
    assert schema["default"] == default, f"`{SECTION}.{name}` default; {FIX}"


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_type_enum_and_range_match(name: str) -> None:
    schema = contributed().get(name)
    if schema is None:
        pytest.fail(f"`{SECTION}.{name}` is not contributed; {FIX}")
    expected = expected_schema(HINTS[name])
    for key, value in expected.items():
        assert schema.get(key) == value, f"`{SECTION}.{name}` {key}: {FIX}"
    if "enum" not in expected:
        assert "enum" not in schema, f"`{SECTION}.{name}` has an enum the server lacks; {FIX}"
    if "enum" in schema and "enumDescriptions" in schema:
        assert len(schema["enumDescriptions"]) == len(schema["enum"]), name
    low, high = _RANGES.get(name, (None, None))
    assert schema.get("minimum") == low, f"`{SECTION}.{name}` minimum; {FIX}"
    assert schema.get("maximum") == high, f"`{SECTION}.{name}` maximum; {FIX}"


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_described(name: str) -> None:
    schema = contributed().get(name, {})
    text = schema.get("markdownDescription") or schema.get("description") or ""
    assert len(text.split()) >= 5, f"`{SECTION}.{name}` needs a description; {FIX}"


def test_activates_on_every_language_the_server_reads() -> None:
    events = set(manifest()["activationEvents"])
    missing = {f"onLanguage:{language}" for language in SUPPORTED_LANGUAGES} - events
    assert not missing, f"add {sorted(missing)} to client/package.json `activationEvents`"
    extra = {e for e in events if e.startswith("onLanguage:")} - {
        f"onLanguage:{language}" for language in SUPPORTED_LANGUAGES
    }
    assert not extra, f"the server reads no {sorted(extra)}: remove them from activationEvents"


def test_languages_setting_names_every_language_the_server_reads() -> None:
    text = contributed()["languages"]["markdownDescription"]
    missing = {language for language in SUPPORTED_LANGUAGES if f"`{language}`" not in text}
    assert not missing, f"name {sorted(missing)} in `{SECTION}.languages`' description"


def test_client_settings_are_only_the_launch_and_trace_ones() -> None:
    properties = manifest()["contributes"]["configuration"]["properties"]
    client = {key for key in properties if key[len(SECTION) + 1 :].startswith(CLIENT_ONLY)}
    assert client == {
        f"{SECTION}.server.command",
        f"{SECTION}.server.args",
        f"{SECTION}.server.pythonPath",
        f"{SECTION}.trace.server",
    }

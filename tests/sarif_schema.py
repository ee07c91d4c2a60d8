"""The published SARIF 2.1.0 schema as a validator, read from ../shared beside the checkout
(data shared by every checkout; never copied into the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

SARIF_SCHEMA = (
    Path(__file__).resolve().parents[1].parent / "shared/data/schemas/sarif-schema-2.1.0.json"
)


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)  # draft-04, as the schema says
    checker = jsonschema.FormatChecker()
    # The formats the schema names must really be checked, not passed over for want of a
    # library (jsonschema skips a format it cannot check): jsonschema[format-nongpl].
    assert {"uri", "uri-reference", "date-time"} <= set(checker.checkers)
    return validator(schema, format_checker=checker)


def sarif_errors(log: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]

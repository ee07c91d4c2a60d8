"""A Kubernetes structural schema (a CRD's `openAPIV3Schema`) as a `jsonschema` validator,
read as the API server reads it: JSON Schema draft 4 (what OpenAPI v3's schemas are close to)
with the `x-kubernetes-*` extensions given meaning (deploy/kuberay/schema/README.md):

- `x-kubernetes-int-or-string`: an integer or a string, nothing else;
- unknown fields are errors in an object with `properties` and neither
  `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` (`kubectl apply`'s
  default `--validate=strict`; the API server would otherwise drop them silently);
- `x-kubernetes-list-type`: `set` items unique, `map` items unique by their
  `x-kubernetes-list-map-keys` (a key left out counts as its default);
- `nullable`: null admitted;
- `x-kubernetes-validations` (CEL) are not evaluated: a transition rule (one that reads
  `oldSelf`, checked on updates only) is passed over, any other is an error, never a pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import ValidationError

REPO = Path(__file__).resolve().parents[1]
RAYSERVICE_SCHEMA = REPO / "deploy/kuberay/schema/rayservice-v1.json"

Draft4 = jsonschema.Draft4Validator
# The fields an x-kubernetes-embedded-resource object always has, whatever its properties.
EMBEDDED = {"apiVersion", "kind", "metadata"}


def _type(
    validator: Any, types: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if instance is None and schema.get("nullable") is True:
        return
    yield from Draft4.VALIDATORS["type"](validator, types, instance, schema)


def _properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    yield from Draft4.VALIDATORS["properties"](validator, properties, instance, schema)
    if not validator.is_type(instance, "object"):
        return
    if "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    known = set(properties) | (EMBEDDED if schema.get("x-kubernetes-embedded-resource") else set())
    for name in sorted(str(k) for k in instance if k not in known):
        yield ValidationError(f"unknown field {name!r}", path=[name])


def _int_or_string(
    validator: Any, value: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if value is True and not (
        validator.is_type(instance, "integer") or validator.is_type(instance, "string")
    ):
        yield ValidationError(f"{instance!r} is neither an integer nor a string")


def _list_type(
    validator: Any, list_type: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "array") or list_type not in ("set", "map"):
        return
    keys = schema.get("x-kubernetes-list-map-keys", [])
    item_fields = (schema.get("items") or {}).get("properties", {})
    seen: dict[str, int] = {}
    for index, item in enumerate(instance):
        if list_type == "map":
            if not isinstance(item, dict):
                continue  # the items' own schema says what an item must be
            item = [item.get(k, item_fields.get(k, {}).get("default")) for k in keys]
        identity = json.dumps(item, sort_keys=True, default=str)
        if identity in seen:
            what = f"the same {'/'.join(keys)}" if list_type == "map" else "the same value"
            yield ValidationError(
                f"items {seen[identity]} and {index} have {what} ({identity}) in a list of type "
                f"{list_type}",
                path=[index],
            )
        seen.setdefault(identity, index)


def _cel(
    validator: Any, rules: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    for rule in rules:
        if "oldSelf" in rule.get("rule", ""):
            continue  # a transition rule: checked on updates only, never on a new object
        yield ValidationError(
            f"a CEL rule that is not evaluated here applies: {rule.get('rule')!r} "
            f"({rule.get('message', 'no message')})"
        )


KubernetesValidator = jsonschema.validators.extend(
    Draft4,
    {
        "type": _type,
        "properties": _properties,
        "x-kubernetes-int-or-string": _int_or_string,
        "x-kubernetes-list-type": _list_type,
        "x-kubernetes-validations": _cel,
    },
)


def kubernetes_validator(schema: dict[str, Any]) -> Any:
    KubernetesValidator.check_schema(schema)
    return KubernetesValidator(schema)


def rayservice_validator() -> Any:
    return kubernetes_validator(json.loads(RAYSERVICE_SCHEMA.read_text(encoding="utf-8")))


def schema_errors(validator: Any, instance: object) -> list[str]:
    """Each error as `path.to.field: message`, in the order of their paths."""
    found = [
        (".".join(str(p) for p in e.absolute_path) or "(root)", e.message)
        for e in validator.iter_errors(instance)
    ]
    return [f"{path}: {message}" for path, message in sorted(found)]

"""deploy/kuberay/rayservice.yaml, the README's RayService, without a cluster: valid against
KubeRay's RayService CRD schema (deploy/kuberay/schema/, read as the API server reads it:
tests/kubernetes_schema.py), its serveConfigV2 valid for Ray Serve and for this code (the
builder it names exists and builds, the variables it sets are the ones read), and the tokens
file mounted where the application is built."""

from __future__ import annotations

import copy
import importlib
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from sentiment_ls import __version__
from sentiment_ls.analysis.request import DEFAULT_TOKEN_ENV
from sentiment_ls.analysis.runtimes.inference_protocol import Limits
from sentiment_ls.analysis.runtimes.ort import THREADS_ENV
from sentiment_ls.serve.auth import TOKENS_ENV
from tests.kubernetes_schema import kubernetes_validator, rayservice_validator, schema_errors

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "deploy/kuberay/rayservice.yaml"
# KubeRay's own limit on a RayService's name (ray-operator utils.MaxRayServiceNameLength, 1.7.0).
MAX_NAME = 47


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator() -> Any:
    return rayservice_validator()


def serve_config(manifest: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(manifest["spec"]["serveConfigV2"])
    return config


def pod_specs(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    cluster = manifest["spec"]["rayClusterConfig"]
    specs = {"head": cluster["headGroupSpec"]["template"]["spec"]}
    for group in cluster.get("workerGroupSpecs", []):
        specs[group["groupName"]] = group["template"]["spec"]
    return specs


def test_the_manifest_is_a_valid_rayservice(manifest: dict[str, Any], validator: Any) -> None:
    assert (manifest["apiVersion"], manifest["kind"]) == ("ray.io/v1", "RayService")
    assert schema_errors(validator, manifest) == []
    name = manifest["metadata"]["name"]  # what the operator checks beyond the schema
    assert len(name) <= MAX_NAME and re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name)
    for group in manifest["spec"]["rayClusterConfig"]["workerGroupSpecs"]:
        assert group["minReplicas"] <= group["replicas"] <= group["maxReplicas"]


def _worker(m: dict[str, Any]) -> dict[str, Any]:
    group: dict[str, Any] = m["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]
    return group


def _container(m: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = _worker(m)["template"]["spec"]["containers"][0]
    return container


def _misspell(m: dict[str, Any]) -> None:
    m["spec"]["rayClusterConfig"]["headGroupSpec"]["rayStartParam"] = {}


def _typed_config(m: dict[str, Any]) -> None:
    m["spec"]["serveConfigV2"] = yaml.safe_load(m["spec"]["serveConfigV2"])


def _second_mount(m: dict[str, Any]) -> None:
    mounts = _container(m)["volumeMounts"]
    mounts.append({**mounts[0], "name": "other"})


BREAKAGES = {
    "a string for an integer": (
        lambda m: _worker(m).update(replicas="2"),
        "spec.rayClusterConfig.workerGroupSpecs.0.replicas: '2' is not of type 'integer'",
    ),
    "a required field left out": (
        lambda m: _worker(m).pop("groupName"),
        "spec.rayClusterConfig.workerGroupSpecs.0: 'groupName' is a required property",
    ),
    "a misspelled field": (
        _misspell,
        "spec.rayClusterConfig.headGroupSpec.rayStartParam: unknown field 'rayStartParam'",
    ),
    "serveConfigV2 as a mapping, not a string": (_typed_config, "spec.serveConfigV2: {"),
    "a quantity that is not one": (
        lambda m: _container(m)["resources"]["limits"].update(memory="8 GiB"),
        "spec.rayClusterConfig.workerGroupSpecs.0.template.spec.containers.0.resources.limits."
        "memory: '8 GiB' does not match",
    ),
    "a boolean for an int-or-string": (
        lambda m: _container(m)["resources"]["limits"].update(cpu=True),
        "resources.limits.cpu: True is neither an integer nor a string",
    ),
    "two mounts at one path": (_second_mount, "volumeMounts.1: items 0 and 1 have the same"),
    "a field with a CEL rule": (
        lambda m: m["spec"].update(managedBy="someone"),
        "spec.managedBy: a CEL rule that is not evaluated here applies",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_manifest_is_rejected(
    manifest: dict[str, Any], validator: Any, breakage: str
) -> None:
    change, expected = BREAKAGES[breakage]
    broken = copy.deepcopy(manifest)
    change(broken)
    errors = schema_errors(validator, broken)
    assert any(expected in e for e in errors), errors


def test_the_kubernetes_extensions_are_read_as_the_api_server_reads_them() -> None:
    validator = kubernetes_validator(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},  # alone: no anyOf beside it
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "closed": {"type": "object", "properties": {"a": {"type": "string"}}},
                "when": {"type": "string", "nullable": True},
                "tags": {"type": "array", "x-kubernetes-list-type": "set"},
                "later": {
                    "type": "string",
                    "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "fixed"}],
                },
            },
        }
    )
    for good in (
        {"port": 8000},
        {"port": "http"},
        {"free": {"anything": {"at": "all"}}},
        {"when": None},
        {"tags": ["a", "b"]},
        {"later": "x"},
    ):
        assert schema_errors(validator, good) == [], good
    for bad in (1.5, False, None, ["8000"]):
        expected = f"port: {bad!r} is neither an integer nor a string"
        assert schema_errors(validator, {"port": bad}) == [expected]
    assert schema_errors(validator, {"closed": {"b": "x"}}) == ["closed.b: unknown field 'b'"]
    assert schema_errors(validator, {"extra": 1}) == ["extra: unknown field 'extra'"]
    assert schema_errors(validator, {"tags": ["a", "a"]})[0].startswith("tags.1: items 0 and 1")


def test_the_serve_config_is_valid_for_ray_serve(manifest: dict[str, Any]) -> None:
    schema = pytest.importorskip("ray.serve.schema", reason="needs the `ray` extra")
    schema.ServeDeploySchema.model_validate(serve_config(manifest))


def test_the_serve_config_names_this_code(manifest: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("ray.serve", reason="needs the `ray` extra")
    from sentiment_ls.serve.app import DEPLOYMENT, build, config_from_args

    (application,) = serve_config(manifest)["applications"]
    module, _, attribute = application["import_path"].partition(":")
    builder = getattr(importlib.import_module(module), attribute)
    assert builder is build
    assert [d["name"] for d in application["deployments"]] == [DEPLOYMENT]
    args = application["args"]
    assert set(args) <= {"model", "tokens_file"} | {f.name for f in fields(Limits)}
    tokens = tmp_path / "tokens"
    tokens.write_text("# rotated monthly\n" + "t" * 32 + "\n", encoding="utf-8")
    args = {**args, "tokens_file": str(tokens)}
    assert len(config_from_args(args).token_digests) == 1
    assert type(builder(args)).__name__ == "Application"


def test_the_variables_it_sets_are_the_ones_the_code_reads(manifest: dict[str, Any]) -> None:
    named = set(re.findall(r"SENTIMENT_LS_[A-Z_]+", MANIFEST.read_text(encoding="utf-8")))
    assert named and named <= {THREADS_ENV, TOKENS_ENV, DEFAULT_TOKEN_ENV}
    for deployment in serve_config(manifest)["applications"][0]["deployments"]:
        actor = deployment["ray_actor_options"]
        threads = actor["runtime_env"]["env_vars"][THREADS_ENV]
        assert threads == str(max(1, int(actor["num_cpus"])))  # as `application()` sets it


def test_the_tokens_file_is_mounted_wherever_the_application_may_be_built(
    manifest: dict[str, Any],
) -> None:
    tokens_file = Path(serve_config(manifest)["applications"][0]["args"]["tokens_file"])
    for group, spec in pod_specs(manifest).items():
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        found = [
            (mount, volumes.get(mount["name"], {}).get("secret"))
            for container in spec["containers"]
            for mount in container.get("volumeMounts", [])
            if Path(mount["mountPath"]) == tokens_file.parent
        ]
        assert len(found) == len(spec["containers"]) == 1, group
        mount, secret = found[0]
        assert secret is not None and mount.get("readOnly") is True, group
        paths = [item["path"] for item in secret.get("items", [])]
        assert tokens_file.name in paths or not paths, group


def test_versions_match_the_project(manifest: dict[str, Any]) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (ray_pin,) = [r for r in pyproject["project"]["optional-dependencies"]["ray"] if "ray" in r]
    series = ray_pin.split("==")[1].rstrip("*")  # "2.60."
    cluster = manifest["spec"]["rayClusterConfig"]
    assert cluster["rayVersion"].startswith(series)
    deployments = serve_config(manifest)["applications"][0]["deployments"]
    if any("autoscaling_config" in d for d in deployments):
        assert cluster.get("enableInTreeAutoscaling") is True  # else no pod is ever added
    images = {c["image"] for spec in pod_specs(manifest).values() for c in spec["containers"]}
    assert {image.rsplit(":", 1)[1] for image in images} == {__version__}


def test_the_readme_points_to_the_file_and_keeps_no_copy() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "deploy/kuberay/rayservice.yaml" in readme
    assert "kind: RayService" not in readme

"""Derive rayservice-v1.json from KubeRay's RayService CRD: the `openAPIV3Schema` of the
CRD's `v1` version, as JSON (keys sorted, one-space indent), nothing added or removed.

    git -C kuberay show v1.7.0:ray-operator/config/crd/bases/ray.io_rayservices.yaml \\
        | python deploy/kuberay/schema/extract.py - > deploy/kuberay/schema/rayservice-v1.json

The source file's sha256 goes to standard error, to compare with the one in README.md.
Needs PyYAML (the `dev` extra).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

VERSION = "v1"


def extract(crd_text: str, version: str = VERSION) -> dict[str, Any]:
    crd = yaml.safe_load(crd_text)
    if crd.get("kind") != "CustomResourceDefinition" or crd["spec"]["names"]["kind"] != (
        "RayService"
    ):
        raise SystemExit("not the RayService CustomResourceDefinition")
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
            return schema
    raise SystemExit(f"the CRD has no version {version}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: extract.py CRD.yaml|-", file=sys.stderr)
        return 2
    data = sys.stdin.buffer.read() if argv[0] == "-" else Path(argv[0]).read_bytes()
    print(f"source sha256 {hashlib.sha256(data).hexdigest()}", file=sys.stderr)
    schema = extract(data.decode("utf-8"))
    sys.stdout.write(json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Validate rendered Kubernetes manifests offline.

Core kinds are checked with kubernetes-validate (the upstream JSON schemas, strict: unknown fields fail).
Custom resources are checked against the openAPIV3Schema of their CRD, copied unchanged from upstream;
like the API server's strict field validation, an object schema without additionalProperties or
x-kubernetes-preserve-unknown-fields rejects unknown fields. A kind that is neither core nor covered by a
CRD is an error, so nothing passes unvalidated.

usage: validate_manifests.py --crds DIR [--k8s-version 1.37.0] FILE...
"""
import argparse
import copy
import glob
import os
import sys

import jsonschema
import kubernetes_validate
import yaml


def close_objects(schema):
    """Make every object schema reject unknown fields unless it explicitly preserves them."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema \
                and "additionalProperties" not in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        for value in schema.values():
            close_objects(value)
    elif isinstance(schema, list):
        for item in schema:
            close_objects(item)
    return schema


def load_crds(crd_dir):
    index = {}
    for path in sorted(glob.glob(os.path.join(crd_dir, "*.yaml"))):
        with open(path, encoding="utf-8") as fh:
            for doc in yaml.safe_load_all(fh):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                for ver in spec["versions"]:
                    if not ver.get("served", False):
                        continue
                    api_version = f"{spec['group']}/{ver['name']}"
                    raw = ver["schema"]["openAPIV3Schema"]
                    schema = close_objects(copy.deepcopy(raw))
                    # apiVersion/kind/metadata are checked by the API server itself, not the CRD schema.
                    for key in ("apiVersion", "kind", "metadata"):
                        schema.setdefault("properties", {}).setdefault(key, {})
                    index[(api_version, spec["names"]["kind"])] = (os.path.basename(path), schema)
    return index


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crds", required=True)
    parser.add_argument("--k8s-version", default=kubernetes_validate.latest_version())
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    crds = load_crds(args.crds)
    errors = 0
    counted = {}
    for path in args.files:
        with open(path, encoding="utf-8") as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d]
        for doc in docs:
            kind = doc.get("kind")
            api_version = doc.get("apiVersion")
            name = (doc.get("metadata") or {}).get("name", "?")
            where = f"{os.path.basename(path)}: {api_version} {kind} {name}"
            try:
                if (api_version, kind) in crds:
                    crd_file, schema = crds[(api_version, kind)]
                    validator = jsonschema.Draft7Validator(schema)
                    problems = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
                    if problems:
                        for p in problems[:5]:
                            loc = "/".join(str(x) for x in p.path)
                            print(f"FAIL {where} (CRD {crd_file}): {loc}: {p.message[:300]}")
                        errors += 1
                        continue
                else:
                    kubernetes_validate.validate(doc, args.k8s_version, strict=True)
            except kubernetes_validate.utils.SchemaNotFoundError:
                print(f"FAIL {where}: no core schema and no CRD for this kind")
                errors += 1
                continue
            except kubernetes_validate.utils.ValidationError as exc:
                print(f"FAIL {where}: {str(exc).splitlines()[0][:300]}")
                errors += 1
                continue
            counted[kind] = counted.get(kind, 0) + 1
    print("kinds: " + ", ".join(f"{k}={v}" for k, v in sorted(counted.items())))
    print(f"{sum(counted.values())} objects valid, {errors} invalid")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

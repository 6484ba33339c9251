#!/usr/bin/env python3
"""Structural checks of the Dockerfiles and the compose file (Docker itself cannot run in CI here).

Dockerfiles: every FROM resolves (after ARG defaults) to an earlier stage or to an image pinned by
sha256 digest; the final stage runs as a numeric non-root USER; service images are multi-stage, install
production dependencies only, and start with the exec form CMD ["node", "dist/main.js"] (node as PID 1,
so SIGTERM reaches the service), with no ENTRYPOINT, npm start or shell wrapper; ADD never fetches URLs.
Compose: every service is built from a Dockerfile of the repository or uses an image pinned by digest;
nothing runs privileged or on the host network.

usage: check_images.py REPO_ROOT   (prints one line per file, exits 1 on any problem)
"""
import glob
import json
import os
import re
import sys

import yaml
from dockerfile_parse import DockerfileParser

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def check_dockerfile(path, is_service):
    problems = []
    parser = DockerfileParser(path=path)
    args = {}
    stages = []
    final = {"user": None, "cmd": None, "entrypoint": None, "runs": []}
    seen_from = False
    for ins in parser.structure:
        name, value = ins["instruction"], ins["value"].strip()
        if name == "ARG" and not seen_from:
            key, _, default = value.partition("=")
            args[key.strip()] = default.strip().strip('"')
        elif name == "FROM":
            seen_from = True
            parts = value.split()
            parts = [p for p in parts if not p.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            alias = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            if image not in stages and not DIGEST.search(image):
                problems.append(f"FROM {parts[0]} -> {image} is not pinned by digest")
            if alias:
                stages.append(alias)
            final = {"user": None, "cmd": None, "entrypoint": None, "runs": []}
        elif name == "USER":
            final["user"] = value
        elif name == "CMD":
            final["cmd"] = value
        elif name == "ENTRYPOINT":
            final["entrypoint"] = value
        elif name == "RUN":
            final["runs"].append(value)
            if "npm start" in value:
                problems.append("RUN uses npm start")
        elif name == "ADD" and re.search(r"https?://", value):
            problems.append("ADD fetches a URL (unverified download)")
    uid = (final["user"] or "").split(":")[0]
    if not uid.isdigit() or int(uid) == 0:
        problems.append(f"final stage USER must be a numeric non-root uid, got {final['user']!r}")
    if is_service:
        if len(stages) < 2:
            problems.append("service image must be multi-stage")
        if final["entrypoint"] is not None:
            problems.append("service image must not set an ENTRYPOINT")
        try:
            cmd = json.loads(final["cmd"] or "null")
        except json.JSONDecodeError:
            cmd = None
        if cmd != ["node", "dist/main.js"]:
            problems.append(f'CMD must be the exec form ["node", "dist/main.js"], got {final["cmd"]!r}')
        text = open(path, encoding="utf-8").read()
        if "--omit=dev" not in text:
            problems.append("production stage must install with --omit=dev")
    return problems


def check_compose(root):
    problems = []
    doc = yaml.safe_load(open(os.path.join(root, "docker-compose.yml"), encoding="utf-8"))
    for name, svc in doc["services"].items():
        if svc.get("privileged"):
            problems.append(f"{name}: privileged")
        if svc.get("network_mode") == "host":
            problems.append(f"{name}: host network")
        if "build" in svc:
            b = svc["build"]
            dockerfile = os.path.join(root, b.get("context", "."), b.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                problems.append(f"{name}: build Dockerfile {dockerfile} does not exist")
        elif not DIGEST.search(svc.get("image", "")):
            problems.append(f"{name}: image {svc.get('image')!r} is not pinned by digest")
    return problems


def main():
    root = sys.argv[1]
    failed = 0
    # The four service images come from the one root Dockerfile (SERVICE build argument).
    files = [(os.path.join(root, "Dockerfile"), True)]
    files += [(p, False) for p in sorted(glob.glob(os.path.join(root, "deploy/compose/*.Dockerfile")))]
    strays = glob.glob(os.path.join(root, "services/*/Dockerfile"))
    if strays:
        print("FAIL service images are built from the root Dockerfile; found " + ", ".join(os.path.relpath(p, root) for p in strays))
        failed += 1
    for path, is_service in files:
        problems = check_dockerfile(path, is_service)
        rel = os.path.relpath(path, root)
        print(("FAIL " if problems else "ok   ") + rel + "".join(f"\n       - {p}" for p in problems))
        failed += bool(problems)
    problems = check_compose(root)
    print(("FAIL " if problems else "ok   ") + "docker-compose.yml (images pinned, builds exist)" + "".join(f"\n       - {p}" for p in problems))
    failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

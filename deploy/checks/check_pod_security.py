#!/usr/bin/env python3
"""Policy checks over rendered manifests, for every pod the chart can create (Deployments, Jobs, Pods):

- restricted Pod Security Standard: runAsNonRoot, seccomp RuntimeDefault, no privilege escalation,
  read-only root filesystem, all capabilities dropped, no host namespaces, only allowed volume types;
- no service account token, requests and limits on every container;
- secrets only as files: no env valueFrom.secretKeyRef, no envFrom, and every DPH_* variable whose name
  says it is a secret is a *_FILE path;
- terminationGracePeriodSeconds above the container's DPH_SHUTDOWN_TIMEOUT_MS;
- every Deployment covered by a PodDisruptionBudget and by a NetworkPolicy besides the default-deny;
- with --require-digest, every image pinned by digest.

usage: check_pod_security.py [--require-digest] FILE...
"""
import re
import sys

import yaml

ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
SECRETISH = re.compile(r"^DPH_.*(PASSWORD|SECRET|TOKEN|AMQP_URL|REDIS_URL|ACCESS_KEY_ID|_KEY)$")


def pod_specs(doc):
    kind = doc.get("kind")
    if kind in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"], doc["spec"]["template"]["metadata"].get("labels", {})
    if kind == "Pod":
        return doc["spec"], doc["metadata"].get("labels", {})
    return None, None


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def main():
    args = sys.argv[1:]
    require_digest = "--require-digest" in args
    files = [a for a in args if not a.startswith("--")]
    docs = [d for f in files for d in yaml.safe_load_all(open(f, encoding="utf-8")) if d]
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    nps = [d for d in docs if d["kind"] == "NetworkPolicy" and (d["spec"].get("ingress") or d["spec"].get("egress"))]
    problems = []
    pods = 0
    for doc in docs:
        spec, labels = pod_specs(doc)
        if spec is None:
            continue
        pods += 1
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{name}: pod runAsNonRoot")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: pod seccomp")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: service account token mounted")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                problems.append(f"{name}: {host}")
        for vol in spec.get("volumes", []):
            kinds = set(vol) - {"name"}
            if not kinds <= ALLOWED_VOLUMES:
                problems.append(f"{name}: volume {vol['name']} of type {kinds}")
        grace = spec.get("terminationGracePeriodSeconds", 30)
        for c in spec.get("initContainers", []) + spec["containers"]:
            cn = f"{name}[{c['name']}]"
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{cn}: allowPrivilegeEscalation")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{cn}: readOnlyRootFilesystem")
            if "ALL" not in (sc.get("capabilities", {}).get("drop") or []) or sc.get("capabilities", {}).get("add"):
                problems.append(f"{cn}: capabilities")
            if sc.get("privileged"):
                problems.append(f"{cn}: privileged")
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits", {}).get("memory"):
                problems.append(f"{cn}: requests and a memory limit required")
            if c.get("envFrom"):
                problems.append(f"{cn}: envFrom")
            for e in c.get("env", []):
                if "secretKeyRef" in (e.get("valueFrom") or {}):
                    problems.append(f"{cn}: {e['name']} from a secretKeyRef (secrets are files)")
                if SECRETISH.match(e["name"]):
                    problems.append(f"{cn}: {e['name']} looks like a secret passed as a value (use {e['name']}_FILE)")
                if e["name"] == "DPH_SHUTDOWN_TIMEOUT_MS" and doc["kind"] == "Deployment" and grace * 1000 <= int(e["value"]):
                    problems.append(f"{cn}: grace period {grace}s does not exceed the drain timeout {e['value']} ms")
            if require_digest and not re.search(r"@sha256:[0-9a-f]{64}$", c["image"]):
                problems.append(f"{cn}: image {c['image']} not pinned by digest")
        if doc["kind"] == "Deployment":
            if not any(selects(p["spec"]["selector"], labels) for p in pdbs):
                problems.append(f"{name}: no PodDisruptionBudget")
            if nps and not any(selects(n["spec"]["podSelector"], labels) for n in nps):
                problems.append(f"{name}: no allow NetworkPolicy")
    for p in problems:
        print("FAIL " + p)
    print(f"{pods} pod templates checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

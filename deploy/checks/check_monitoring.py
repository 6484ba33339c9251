#!/usr/bin/env python3
"""Structural check of the alert rules and the Grafana dashboard when promtool is not available.

Rules: the file parses; every rule is a recording rule or an alert with expr, for, a severity of warning
or critical, a summary and a description; parentheses, brackets and braces balance; every metric an
expression reads is one the services expose (the contract at the top of alerts.yaml) or a recording rule
of the same file. Dashboard: valid JSON, unique panel ids, every target reads only known metrics.

usage: check_monitoring.py ALERTS_YAML DASHBOARD_JSON
"""
import json
import re
import sys

import yaml

EXPOSED = {
    "job_duration_seconds_bucket", "job_duration_seconds_count", "job_duration_seconds_sum",
    "job_failures_total", "queue_depth", "webhook_deliveries_total", "outbox_pending_rows",
    "outbox_oldest_pending_seconds", "pii_entities_total", "up",
}
FUNCS = {"sum", "rate", "increase", "max", "min", "avg", "by", "without", "and", "or", "unless", "offset",
         "histogram_quantile", "clamp_min", "clamp_max", "deriv", "delta", "count", "le", "on", "ignoring",
         "label_values", "topk", "bottomk", "abs", "absent", "vector", "scalar"}
IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metrics_in(expr):
    expr = re.sub(r'"[^"]*"', '""', expr)          # drop label values
    expr = re.sub(r"\{[^}]*\}", "", expr)          # drop label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)         # drop ranges
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # drop grouping labels
    expr = re.sub(r"\$\{?\w+\}?", "", expr)        # dashboard variables
    expr = re.sub(r"\b\d+(ms|s|m|h|d|w|y)\b", "", expr)  # durations (offset 30m)
    names = set(IDENT.findall(expr)) - FUNCS
    return {n for n in names if not re.fullmatch(r"[0-9e.]+", n)}


def balanced(expr):
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for ch in re.sub(r'"[^"]*"', "", expr):
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


def main():
    problems = []
    rules = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    known = EXPOSED | recorded
    n_alerts = 0
    for group in rules["groups"]:
        for r in group["rules"]:
            name = r.get("alert") or r.get("record")
            expr = r.get("expr", "")
            if not expr or not balanced(expr):
                problems.append(f"{name}: empty or unbalanced expr")
            unknown = metrics_in(expr) - known
            if unknown:
                problems.append(f"{name}: reads unknown metrics {sorted(unknown)}")
            if "alert" in r:
                n_alerts += 1
                if "for" not in r:
                    problems.append(f"{name}: no for")
                if r.get("labels", {}).get("severity") not in ("warning", "critical"):
                    problems.append(f"{name}: severity must be warning or critical")
                ann = r.get("annotations", {})
                if not ann.get("summary") or not ann.get("description"):
                    problems.append(f"{name}: summary and description required")
    dash = json.load(open(sys.argv[2], encoding="utf-8"))
    ids = [p["id"] for p in dash["panels"]]
    if len(ids) != len(set(ids)):
        problems.append("dashboard: duplicate panel ids")
    n_targets = 0
    for p in dash["panels"]:
        for t in p.get("targets", []):
            n_targets += 1
            unknown = metrics_in(t["expr"]) - known
            if unknown or not balanced(t["expr"]):
                problems.append(f"dashboard panel {p['title']!r}: unknown metrics {sorted(unknown)} or unbalanced expr")
    for p in problems:
        print("FAIL " + p)
    print(f"{n_alerts} alerts, {len(recorded)} recording rules, {n_targets} dashboard queries; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

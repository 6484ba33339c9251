#!/usr/bin/env python3
"""Every `uses:` in .github/workflows must be pinned to a full 40-hex commit SHA and say which version
that commit is in a trailing comment (`uses: owner/repo@<sha> # v1.2.3`); docker:// references must be
pinned by digest; local actions (./path) are allowed. Tags and branches are mutable and are refused.

usage: check_workflow_pins.py WORKFLOW_DIR
"""
import glob
import os
import re
import sys

USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
COMMENT = re.compile(r"^\s+#\s*v?\d+(\.\d+)*\S*\s*$")
DOCKER = re.compile(r"^docker://\S+@sha256:[0-9a-f]{64}$")


def main():
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yml")) + glob.glob(os.path.join(sys.argv[1], "*.yaml")))
    if not files:
        print("FAIL no workflow files")
        return 1
    bad = 0
    total = 0
    for path in files:
        for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
            m = USES.match(line)
            if not m:
                continue
            ref, rest = m.group(1).strip("'\""), m.group(2)
            total += 1
            if ref.startswith("./"):
                continue
            if ref.startswith("docker://"):
                ok = bool(DOCKER.match(ref))
            else:
                ok = bool(PINNED.match(ref)) and bool(COMMENT.match(rest))
            if not ok:
                bad += 1
                print(f"FAIL {os.path.basename(path)}:{lineno}: {ref}{rest} (pin to a 40-hex SHA with '# vX.Y.Z')")
    print(f"{total} action references, {bad} not pinned")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

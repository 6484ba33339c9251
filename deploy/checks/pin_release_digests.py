#!/usr/bin/env python3
"""Write the released image digests into the chart's default values (release workflow only).

The packaged chart then deploys exactly the images that were scanned, signed and attested, by digest,
and refuses to render an image without one (image.requireDigest: true). Edits values.yaml textually so
that its comments survive.

usage: pin_release_digests.py CHART_DIR DIGEST_DIR VERSION
  DIGEST_DIR holds one file per image name (orchestrator, worker-postproc, ...) with its sha256 digest.
"""
import os
import re
import sys

chart, digest_dir, version = sys.argv[1:4]
path = os.path.join(chart, "values.yaml")
text = open(path, encoding="utf-8").read()
for name in ("orchestrator", "worker-postproc", "webhook-dispatcher", "audit-writer"):
    digest = open(os.path.join(digest_dir, name), encoding="utf-8").read().strip()
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        sys.exit(f"{name}: {digest!r} is not a sha256 digest")
    pattern = re.compile(r'(\n    name: ' + re.escape(name) + r'\n    digest: )""')
    text, n = pattern.subn(r'\g<1>"' + digest + '"', text)
    if n != 1:
        sys.exit(f"{name}: expected exactly one image block in values.yaml, found {n}")
text, n = re.subn(r"\n  requireDigest: false", "\n  requireDigest: true", text)
if n != 1:
    sys.exit("image.requireDigest not found in values.yaml")
text, n = re.subn(r'\n  tag: ""', f'\n  tag: "{version}"', text, count=1)
open(path, "w", encoding="utf-8").write(text)
print(f"pinned 4 image digests into {path} (tag {version}, requireDigest true)")

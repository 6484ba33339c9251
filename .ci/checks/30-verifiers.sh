#!/usr/bin/env bash
# Receiver verifiers (Python, Go) against the shared webhook test vectors in libs/webhooks/test-vectors/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

echo "== python verifier (pytest)"
py="python3"
if ! "$py" -c 'import pytest' 2>/dev/null; then
  venv="$root/.dph/venv-verifiers"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import pytest' 2>/dev/null || "$venv/bin/pip" install --quiet 'pytest>=7'
  py="$venv/bin/python"
fi
(cd "$root/clients/python" && "$py" -m pytest -q)

echo "== go verifier (go test)"
(cd "$root/clients/go" && test -z "$(gofmt -l .)" && go vet ./... && go test ./...)

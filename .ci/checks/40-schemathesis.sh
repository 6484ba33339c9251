#!/usr/bin/env bash
# API fuzzing: schemathesis (PyPI) against orchestrator-api's /openapi.json with a valid bearer token, every check,
# fixed seed; zero failures required. The API runs in-process on the local stack with a real OpenID provider.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if ! command -v st >/dev/null 2>&1 && [ ! -x .dph/venv/bin/st ] && [ ! -x .dph/venv-schemathesis/bin/st ]; then
  python3 -m venv .dph/venv-schemathesis
  .dph/venv-schemathesis/bin/pip install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
fi
echo "== schemathesis: orchestrator-api /openapi.json, all checks, seed 20261203"
node --conditions=development --import tsx services/orchestrator-api/test/fuzz/run-schemathesis.ts --max-examples "${DPH_FUZZ_EXAMPLES:-25}"

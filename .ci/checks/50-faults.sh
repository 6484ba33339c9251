#!/usr/bin/env bash
# The no-loss fault suite against the running stack (deploy/e2e/src/faults): bounded (~6 min, hard stop at 11.5),
# loopback only; leaves the stack running and healthy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
npm run -s test:faults

#!/usr/bin/env bash
# The security suite against the running mesh: JWT attacks, BOLA matrix, SSRF table, plaintext attempts,
# audit red line and schemathesis. One line per check and a total; non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
npm run -s test:security

#!/usr/bin/env bash
# Deployment checks, all offline: the Helm chart (lint, strict schema, rendering with default and
# production-like values, every rendered object validated against the Kubernetes schemas and the CRDs,
# helm-unittest), the compose file against the Compose specification, the Dockerfiles' structure, the
# GitHub workflows (actionlint, schema, every action pinned by commit SHA) and the Prometheus rules.
# Installs its own tools on a fresh machine (Go module proxy, PyPI) and caches them.
# Prints one line per check and a total; exits non-zero when any check fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CHART=helm/doc-preprocess-hub
PROD_VALUES=$CHART/ci/production-values.yaml
CRD_DIR=${DPH_CRD_DIR:-$ROOT/../shared/schemas/crds}
WORK=$ROOT/.dph/k8s-checks
VENV=$ROOT/.dph/venv-k8s
GOBIN_DIR=$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin
HELM_VERSION=v4.3.2
ACTIONLINT_VERSION=v1.7.12
UNITTEST_VERSION=v1.1.2
PROMTOOL_VERSION=v0.316.0
PY_REQS="check-jsonschema==0.39.0 kubernetes-validate==1.37.0 dockerfile-parse==2.0.1 pyyaml==6.0.3 jsonschema==4.26.0"
mkdir -p "$WORK"
rm -f "$WORK"/*.log

passed=0
failed=0
failed_names=()
# check <name> <command...>: runs the command with its output in a log, prints one line.
check() {
  local name=$1; shift
  local log="$WORK/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'ok    %s%s\n' "$name" "$(summary "$log")"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    printf 'FAIL  %s\n' "$name"
    tail -n 25 "$log" | sed 's/^/      | /'
  fi
}
# The last line of a check's log when it is a short summary (counts, versions).
summary() {
  local last
  last=$(grep -v '^\s*$' "$1" | tail -n 1 || true)
  if [ -n "$last" ] && [ ${#last} -lt 110 ]; then printf '  (%s)' "$last"; fi
}

# ---- tools (built once from the Go module proxy / installed once from PyPI, then cached) -------------
# (Functions run as check commands are in an `if` context, where set -e does not apply: each step
# that can fail returns explicitly.)
install_tools() {
  export GOFLAGS=-buildvcs=false GOBIN="$GOBIN_DIR"
  if ! "$GOBIN_DIR/helm" version --short 2>/dev/null | grep -q "^${HELM_VERSION%.*}"; then
    go install "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}" || return 1
  fi
  if ! "$GOBIN_DIR/actionlint" --version 2>/dev/null | grep -q "^${ACTIONLINT_VERSION}"; then
    go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" || return 1
  fi
  if [ ! -x "$GOBIN_DIR/helm-unittest" ] || [ "$(cat "$GOBIN_DIR/.helm-unittest-version" 2>/dev/null)" != "$UNITTEST_VERSION" ]; then
    # Its go.mod has replace directives, so `go install pkg@version` refuses it: build the module
    # downloaded from the proxy as the main module instead (same source, checksum-verified).
    local dir src
    dir=$(go mod download -json "github.com/helm-unittest/helm-unittest@${UNITTEST_VERSION}" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
    [ -d "$dir" ] || return 1
    src=$(mktemp -d)
    cp -r "$dir/." "$src" && chmod -R u+w "$src" || return 1
    (cd "$src" && go build -o "$GOBIN_DIR/helm-unittest" ./cmd/helm-unittest) || { rm -rf "$src"; return 1; }
    rm -rf "$src"
    echo "$UNITTEST_VERSION" > "$GOBIN_DIR/.helm-unittest-version"
  fi
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.reqs" 2>/dev/null)" != "$PY_REQS" ]; then
    python3 -m venv "$VENV" || return 1
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $PY_REQS || return 1
    echo "$PY_REQS" > "$VENV/.reqs"
  fi
  echo "helm $("$GOBIN_DIR/helm" version --short), actionlint $("$GOBIN_DIR/actionlint" --version | head -1), helm-unittest $UNITTEST_VERSION"
}
# promtool is optional: built only when DPH_BUILD_PROMTOOL=1 (a large module), used when present.
install_promtool() {
  if [ ! -x "$GOBIN_DIR/promtool" ] && [ "${DPH_BUILD_PROMTOOL:-0}" = 1 ]; then
    go install "github.com/prometheus/prometheus/cmd/promtool@${PROMTOOL_VERSION}"
  fi
}
check "tools installed" install_tools
HELM=$GOBIN_DIR/helm
PY=$VENV/bin/python

# ---- chart ---------------------------------------------------------------------------------------
check "helm lint --strict (default values)" "$HELM" lint --strict "$CHART"
check "helm lint --strict (production values)" "$HELM" lint --strict "$CHART" -f "$PROD_VALUES"

negative_lint() {
  # A misspelt key, a key in the wrong block and an unsafe value must each fail lint.
  local args
  for args in "--set orchestratorApi.replicaCont=3" "--set workerPostproc.zones[0].nodeSelectr.x=y" \
              "--set global.env=production --set auth.mode=trust-all" "--set orchestratorApi.image.digest=latest"; do
    # shellcheck disable=SC2086
    if "$HELM" lint --strict "$CHART" $args >/dev/null 2>&1; then
      echo "lint accepted: $args"; return 1
    fi
    echo "rejected as expected: $args"
  done
  echo "4 bad values files rejected"
}
check "helm lint rejects typos and unsafe values" negative_lint

render() { "$HELM" template dph "$CHART" --namespace dph "$@"; }
render_validate() {
  local out=$WORK/rendered-$1.yaml; shift
  render "$@" > "$out" || return 1
  "$PY" deploy/checks/validate_manifests.py --crds "$CRD_DIR" "$out"
}
crd_snapshot() { (cd "$CRD_DIR" && sha256sum -c "$ROOT/deploy/checks/crds.sha256"); }
check "CRD snapshot matches deploy/checks/crds.sha256" crd_snapshot
check "rendered default values validate (core kinds + CRDs)" render_validate default
check "rendered production values validate (core kinds + CRDs)" render_validate production -f "$PROD_VALUES"
check "rendered values validate with all switches on" render_validate switches \
  --set kyverno.imageValidatingPolicy.enabled=true --set kyverno.clusterPolicy.enabled=true \
  --set kyverno.signer=kms --set kyverno.kms.key=awskms:///alias/dph-release \
  --set metrics.serviceMonitor.enabled=true --set webhookDispatcher.internetEgress.enabled=true \
  --set orchestratorApi.autoscaling.enabled=true --set tests.tokenSecret.name=t
check "restricted PSS, secrets as files, PDB and policy per workload (default)" \
  "$PY" deploy/checks/check_pod_security.py "$WORK/rendered-default.yaml"
check "same with all switches on" "$PY" deploy/checks/check_pod_security.py "$WORK/rendered-switches.yaml"
check "same with production values, every image by digest" \
  "$PY" deploy/checks/check_pod_security.py --require-digest "$WORK/rendered-production.yaml"
unittest() { "$GOBIN_DIR/helm-unittest" --color=false "$CHART" && echo "$(grep -E '^Tests:' "$WORK/helm-unittest.log" 2>/dev/null | tr -s ' ')"; }
check "helm-unittest" unittest

# ---- compose, images -------------------------------------------------------------------------------
check "docker-compose.yml against the Compose specification" \
  "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
check "Dockerfiles and compose: digests, non-root, exec-form CMD" "$PY" deploy/checks/check_images.py "$ROOT"

# ---- workflows --------------------------------------------------------------------------------------
check "actionlint" "$GOBIN_DIR/actionlint" -color=false
check "workflows against the GitHub workflow schema" \
  "$VENV/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/ci.yml .github/workflows/release.yml
check "every action pinned to a commit SHA" "$PY" deploy/checks/check_workflow_pins.py .github/workflows

# ---- monitoring ------------------------------------------------------------------------------------
install_promtool >/dev/null 2>&1 || true
rules_check() {
  "$PY" deploy/checks/check_monitoring.py deploy/prometheus/alerts.yaml deploy/grafana/doc-preprocess-hub.json || return 1
  if [ -x "$GOBIN_DIR/promtool" ]; then
    "$GOBIN_DIR/promtool" check rules deploy/prometheus/alerts.yaml || return 1
    (cd deploy/prometheus && "$GOBIN_DIR/promtool" test rules alerts_test.yaml) || return 1
    echo "structure ok; promtool check rules + test rules ok"
  else
    echo "structure ok; promtool not built (DPH_BUILD_PROMTOOL=1 builds it)"
  fi
}
check "Prometheus alert rules and Grafana dashboard" rules_check

# ---- the checkers themselves reject known-bad inputs ------------------------------------------------
self_test() {
  local bad=$WORK/bad
  rm -rf "$bad" && mkdir -p "$bad/wf" "$bad/prom"
  sed 's/revisionHistoryLimit: 5/revisionHistoryLimitt: 5/' "$WORK/rendered-production.yaml" > "$bad/core.yaml"
  sed 's/mutateDigest: true/mutateDigestt: true/' "$WORK/rendered-production.yaml" > "$bad/crd.yaml"
  sed 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' "$WORK/rendered-default.yaml" > "$bad/pss.yaml"
  sed 's/restart: unless-stopped/restartt: unless-stopped/' docker-compose.yml > "$bad/compose.yml"
  sed 's/actions\/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2/actions\/checkout@v4/' .github/workflows/ci.yml > "$bad/wf/ci.yml"
  sed 's/outbox_pending_rows) > 0/outbox_pendin_rows) > 0/' deploy/prometheus/alerts.yaml > "$bad/prom/alerts.yaml"
  local c
  for c in "$PY deploy/checks/validate_manifests.py --crds $CRD_DIR $bad/core.yaml" \
           "$PY deploy/checks/validate_manifests.py --crds $CRD_DIR $bad/crd.yaml" \
           "$PY deploy/checks/check_pod_security.py $bad/pss.yaml" \
           "$VENV/bin/check-jsonschema --builtin-schema vendor.compose-spec $bad/compose.yml" \
           "$PY deploy/checks/check_workflow_pins.py $bad/wf" \
           "$PY deploy/checks/check_monitoring.py $bad/prom/alerts.yaml deploy/grafana/doc-preprocess-hub.json"; do
    # shellcheck disable=SC2086
    if $c >/dev/null 2>&1; then echo "accepted a bad input: $c"; return 1; fi
  done
  echo "6 bad inputs rejected"
}
check "checkers reject known-bad inputs" self_test

echo "20-k8s: ${passed} passed, ${failed} failed"
if [ "$failed" -gt 0 ]; then
  printf 'failed: %s\n' "${failed_names[@]}"
  exit 1
fi

#!/usr/bin/env bash
# Fetches the CRD snapshot the manifests are validated against, for machines without the team's
# shared/ folder (GitHub-hosted CI). The files must match crds.sha256 byte for byte, so an upstream
# change never silently changes what "valid" means: refresh both deliberately.
# usage: fetch-crds.sh DEST_DIR
set -euo pipefail
dest=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
fetch() { curl -fsSL --retry 3 -o "$dest/$1" "$2"; }
fetch kyverno-imagevalidatingpolicies.yaml \
  https://raw.githubusercontent.com/kyverno/kyverno/111e07bb/config/crds/policies.kyverno.io/policies.kyverno.io_imagevalidatingpolicies.yaml
fetch kyverno-clusterpolicies.yaml \
  https://raw.githubusercontent.com/kyverno/kyverno/111e07bb/config/crds/kyverno/kyverno.io_clusterpolicies.yaml
fetch monitoring-servicemonitors.yaml \
  https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.93.1/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
(cd "$dest" && sha256sum -c "$here/crds.sha256")

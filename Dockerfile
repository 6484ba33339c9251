# syntax=docker/dockerfile:1.7
# One Dockerfile for the four service images; the service is a build argument. Build from the repository root
# (the workspace libs are needed):
#   docker build --build-arg SERVICE=orchestrator-api --build-arg PORT=8080 -t doc-preprocess-hub-orchestrator .
#   docker build --build-arg SERVICE=worker-postproc -t doc-preprocess-hub-worker-postproc .
#   (likewise webhook-dispatcher and audit-writer; PORT defaults to 8081)
#
# The base is pinned by digest so that a re-pushed tag cannot change what we build on; the tag in the
# reference is informational only. Bump it deliberately (and .ci/checks/20-k8s.sh checks it stays a digest).
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG SERVICE

# ---- build: the whole workspace, dev dependencies, tsc through Nx (builds the libs it depends on first)
FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true CI=true
COPY . .
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/src/main.ts" || { echo "--build-arg SERVICE=<orchestrator-api|worker-postproc|webhook-dispatcher|audit-writer> is required"; exit 1; }
RUN npm ci --no-audit --no-fund \
 && npx nx run @dph/${SERVICE}:build --outputStyle=static
# Stage exactly what the runtime needs: every workspace manifest (npm ci checks them against the lock),
# the compiled dist/ of the libs and of this service, and the data directories they read at run time
# (SQL migrations, OpenAPI document, PII policies, ...): every top-level directory except sources,
# tests and build tooling.
RUN set -eu; \
    mkdir -p /out; cp package.json package-lock.json /out/; \
    for d in libs/* services/* deploy/*; do \
      [ -f "$d/package.json" ] || continue; \
      mkdir -p "/out/$d"; cp "$d/package.json" "/out/$d/"; \
    done; \
    for d in libs/* services/${SERVICE}; do \
      for sub in "$d"/*/; do \
        [ -d "$sub" ] || continue; \
        case "$(basename "$sub")" in src|test|tests|node_modules|scripts|test-vectors|bench|coverage) continue ;; esac; \
        cp -r "$sub" "/out/$d/"; \
      done; \
    done; \
    test -f services/${SERVICE}/dist/main.js

# ---- deps: production dependencies of this service only (workspace libs are linked, not copied twice)
FROM ${NODE_IMAGE} AS deps
ARG SERVICE
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /out/ ./
RUN npm ci --omit=dev --no-audit --no-fund --workspace services/${SERVICE} --include-workspace-root=false \
 && npm cache clean --force

# ---- runtime: node only, no npm/corepack (nothing at run time needs them, and they carry their own CVEs)
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG PORT=8081
ARG IMAGE_TITLE=doc-preprocess-hub-${SERVICE}
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
# A small young generation (V8 grows it up to 16 MB per semi-space by default) and two malloc arenas keep an
# idle replica near 80 MB resident; bench/e2e/idle-rss.ts (npm run bench:rss) measures it with these settings.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp \
    DPH_HTTP_HOST=0.0.0.0 \
    DPH_HTTP_PORT=${PORT}
# Owned by root and not writable by the service user: the root filesystem can be mounted read-only;
# the only writable path the services use is /tmp (an emptyDir in Kubernetes, tmpfs in compose).
COPY --from=deps /app/ /app/
WORKDIR /app/services/${SERVICE}
LABEL org.opencontainers.image.title="doc-preprocess-hub-worker-postproc" \
      org.opencontainers.image.source="https://github.com/MackDing/doc-preprocess-hub"
# A numeric, non-root user (no passwd entry needed) so that runAsNonRoot can be verified by the kubelet.
USER 10001:10001
EXPOSE ${PORT}
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself; the service drains and exits within
# DPH_SHUTDOWN_TIMEOUT_MS. No npm start and no shell in between (they would swallow the signal).
CMD ["node", "dist/main.js"]

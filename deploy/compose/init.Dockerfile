# syntax=docker/dockerfile:1.7
# One-shot initialisers of the compose dev stack: a private CA with one certificate per backing service,
# random credentials, the broker/cache configs (pki.sh), then the buckets with SSE-KMS, lifecycle rules
# and a least-privilege application user (buckets.sh). mc is built from source like MinIO itself.
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim@sha256:4b50eb66f977b4062683ff434ef18ac191da862dbe966961bc11990cf5791a8d

FROM ${GO_IMAGE} AS build
ARG MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
ENV CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN=/out
RUN go install "github.com/minio/mc@${MC_VERSION}"

FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/mc /usr/local/bin/mc
COPY init/pki.sh init/buckets.sh /usr/local/bin/
# Unprivileged by default (buckets.sh); the compose file runs pki.sh as root with only the CHOWN,
# DAC_OVERRIDE and FOWNER capabilities, since it hands each server a key owned by that server's user.
USER 10001:10001
ENTRYPOINT ["/bin/sh"]

# syntax=docker/dockerfile:1.7
# MinIO for the compose dev stack, built from source: the community edition is no longer published as
# images or binaries, only as source. The module version is pinned (the Go checksum database makes the
# source tamper-evident); the base images are pinned by digest.
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639

FROM ${GO_IMAGE} AS build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
ENV CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN=/out
RUN go install "github.com/minio/minio@${MINIO_VERSION}" && mkdir -p /out/data

FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=build /out/minio /usr/local/bin/minio
# An empty named volume is seeded from the image, ownership included: /data belongs to the MinIO user.
COPY --from=build --chown=65532:65532 /out/data /data
# distroless "nonroot" is uid/gid 65532; the data volume is owned by it (see docker-compose.yml).
USER 65532:65532
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/minio"]
CMD ["server", "/data", "--address", ":9000"]

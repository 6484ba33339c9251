#!/bin/sh
# Creates the three buckets with default SSE-KMS encryption and the retention of DESIGN §4 (raw 90 days,
# parsed 30 days, audit archive kept), and an application user limited to those buckets.
set -eu
P=/pki
export MC_CONFIG_DIR=/tmp/mc
mkdir -p "$MC_CONFIG_DIR/certs/CAs" && cp "$P/ca.crt" "$MC_CONFIG_DIR/certs/CAs/"
# The distroless MinIO image has no client for a real health check: wait here until it answers.
i=0
until mc alias set dev https://minio:9000 "$(cat $P/secrets/minio-root-user)" "$(cat $P/secrets/minio-root-password)" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "buckets: MinIO did not answer within 120 s" >&2; exit 1; }
  sleep 2
done
for b in dph-raw dph-parsed dph-audit; do
  mc mb --ignore-existing "dev/$b"
  mc encrypt set sse-kms dph-key "dev/$b"
done
mc ilm rule add --expire-days 90 dev/dph-raw || true
mc ilm rule add --expire-days 30 dev/dph-parsed || true
cat > /tmp/dph-app-policy.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"],
   "Resource": ["arn:aws:s3:::dph-raw", "arn:aws:s3:::dph-raw/*", "arn:aws:s3:::dph-parsed", "arn:aws:s3:::dph-parsed/*",
                "arn:aws:s3:::dph-audit", "arn:aws:s3:::dph-audit/*"]}]}
JSON
mc admin policy create dev dph-app /tmp/dph-app-policy.json 2>/dev/null || true
mc admin user add dev "$(cat $P/secrets/s3-access-key-id)" "$(cat $P/secrets/s3-secret-access-key)"
mc admin policy attach dev dph-app --user "$(cat $P/secrets/s3-access-key-id)" 2>/dev/null || true
echo "buckets: ready (SSE-KMS, lifecycle, app user)"

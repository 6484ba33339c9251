#!/bin/sh
# Creates, once, everything the dev stack needs to run TLS-only with real credentials, in the /pki volume:
#   ca.crt / ca.key               a private CA (10 years; dev only)
#   <svc>/tls.crt, tls.key        a server certificate per backing service, SAN = its compose name
#   client/tls.crt, tls.key       a client certificate the services may use for mTLS
#   secrets/*                     random passwords and the URLs that embed them (*_FILE targets)
#   rabbitmq/rabbitmq.conf, redis/redis.conf, postgres/pg_hba.conf
# Idempotent: an existing /pki/.done keeps everything as it is (restarts never rotate credentials).
set -eu
umask 077
P=/pki
[ -f "$P/.done" ] && { echo "pki: already initialised"; exit 0; }
mkdir -p "$P/secrets" "$P/postgres" "$P/rabbitmq" "$P/redis" "$P/minio/certs/CAs" "$P/client"

rand() { openssl rand -hex 24; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=doc-preprocess-hub dev CA" -keyout "$P/ca.key" -out "$P/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

issue() { # issue <dir> <common name> <extended key usage> <SANs>
  dir=$1; cn=$2; eku=$3; san=$4
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -keyout "$dir/tls.key" -out "$dir/tls.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$eku" "$san" > "$dir/ext.cnf"
  openssl x509 -req -in "$dir/tls.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial \
    -days 825 -extfile "$dir/ext.cnf" -out "$dir/tls.crt"
  rm -f "$dir/tls.csr" "$dir/ext.cnf"
}
issue "$P/postgres" postgres serverAuth "DNS:postgres,DNS:localhost,IP:127.0.0.1"
issue "$P/rabbitmq" rabbitmq serverAuth "DNS:rabbitmq,DNS:localhost,IP:127.0.0.1"
issue "$P/redis" redis serverAuth "DNS:redis,DNS:localhost,IP:127.0.0.1"
issue "$P/minio" minio serverAuth "DNS:minio,DNS:localhost,IP:127.0.0.1"
issue "$P/client" dph-services clientAuth "DNS:dph-services"
cp "$P/minio/tls.crt" "$P/minio/certs/public.crt"
cp "$P/minio/tls.key" "$P/minio/certs/private.key"
cp "$P/ca.crt" "$P/minio/certs/CAs/ca.crt"

# Credentials: one Postgres password per role, a broker user, the Redis password, MinIO root and app keys.
for role in dph_admin dph_migrator dph_api dph_worker dph_dispatcher dph_audit_writer; do rand > "$P/secrets/pg-$role"; done
AMQP_PASS=$(rand); REDIS_PASS=$(rand)
printf 'dph' > "$P/secrets/amqp-user"; printf '%s' "$AMQP_PASS" > "$P/secrets/amqp-password"
printf 'amqps://dph:%s@rabbitmq:5671/dph' "$AMQP_PASS" > "$P/secrets/amqp-url"
printf 'rediss://:%s@redis:6379' "$REDIS_PASS" > "$P/secrets/redis-url"
printf 'dph-root' > "$P/secrets/minio-root-user"; rand > "$P/secrets/minio-root-password"
printf 'dph-app' > "$P/secrets/s3-access-key-id"; rand > "$P/secrets/s3-secret-access-key"
# MinIO's static KMS key (no KMS server in dev): <key name>:<base64 of 32 random bytes>.
printf 'dph-key:%s' "$(openssl rand -base64 32)" > "$P/secrets/minio-kms-secret-key"
openssl rand -base64 32 > "$P/secrets/webhook-secret-key"

cat > "$P/rabbitmq/rabbitmq.conf" <<CONF
# TLS listener only: the plaintext listener is off.
listeners.tcp = none
listeners.ssl.default = 5671
ssl_options.cacertfile = /pki/ca.crt
ssl_options.certfile = /pki/rabbitmq/tls.crt
ssl_options.keyfile = /pki/rabbitmq/tls.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
default_user = dph
default_pass = $AMQP_PASS
default_vhost = dph
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
CONF
cat > "$P/redis/redis.conf" <<CONF
# TLS only: the plaintext port is disabled.
port 0
tls-port 6379
tls-cert-file /pki/redis/tls.crt
tls-key-file /pki/redis/tls.key
tls-ca-cert-file /pki/ca.crt
tls-auth-clients optional
requirepass $REDIS_PASS
save ""
appendonly no
CONF
cat > "$P/postgres/pg_hba.conf" <<CONF
# The Unix socket lives on a tmpfs inside the container and is used only by the image's init scripts
# (which connect without a password); every network connection must use TLS and SCRAM.
local   all all                 trust
hostssl all all 0.0.0.0/0       scram-sha-256
hostssl all all ::/0            scram-sha-256
CONF

# Ownership: each server reads only its own key. Service users: postgres and redis images run as 999,
# the rabbitmq alpine image as 100:101, MinIO (distroless nonroot) as 65532, the product's services as 10001.
chown -R 999:999 "$P/postgres" "$P/redis"
chown -R 100:101 "$P/rabbitmq"
chown -R 65532:65532 "$P/minio"
chown 999:999 "$P/secrets/pg-dph_admin" "$P/secrets/pg-dph_migrator"
chown 65532:65532 "$P/secrets/minio-root-user" "$P/secrets/minio-root-password" "$P/secrets/minio-kms-secret-key"
chown -R 10001:10001 "$P/client"
for f in pg-dph_migrator pg-dph_api pg-dph_worker pg-dph_dispatcher pg-dph_audit_writer amqp-url redis-url \
         s3-access-key-id s3-secret-access-key webhook-secret-key; do
  chgrp 10001 "$P/secrets/$f"; chmod 0440 "$P/secrets/$f"
done
# buckets.sh (uid 10001) needs the MinIO root credentials once; the app keys are what services use.
chgrp 10001 "$P/secrets/minio-root-user" "$P/secrets/minio-root-password"; chmod 0440 "$P/secrets/minio-root-user" "$P/secrets/minio-root-password"
chmod 0444 "$P/ca.crt"; chmod 0755 "$P" "$P/secrets" "$P/postgres" "$P/rabbitmq" "$P/redis" "$P/minio" "$P/client"
chmod 0400 "$P/ca.key"
touch "$P/.done"
echo "pki: CA, certificates and credentials created"

#!/bin/sh
# After the migrations created the service roles (without passwords), give each its password from /pki.
set -eu
export PGPASSWORD="$(cat /pki/secrets/pg-dph_admin)" PGSSLMODE=verify-full PGSSLROOTCERT=/pki/ca.crt
for role in dph_api dph_worker dph_dispatcher dph_audit_writer; do
  pw=$(cat "/pki/secrets/pg-$role")
  psql -h postgres -U dph_admin -d dph -v ON_ERROR_STOP=1 -q \
    -c "ALTER ROLE $role WITH LOGIN PASSWORD '$pw'"
done
echo "db: service role passwords set"

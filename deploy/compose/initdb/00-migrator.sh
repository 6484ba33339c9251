#!/bin/sh
# Runs once inside the postgres container when the data directory is created: the role that owns the
# schema and runs the migrations. The service roles are created by the migrations themselves.
set -eu
pw=$(cat /pki/secrets/pg-dph_migrator)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -q <<SQL
CREATE ROLE dph_migrator WITH LOGIN CREATEROLE PASSWORD '$pw';
ALTER DATABASE dph OWNER TO dph_migrator;
GRANT ALL ON SCHEMA public TO dph_migrator;
SQL

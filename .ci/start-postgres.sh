#!/usr/bin/env bash
# Installs (when missing) and starts a PostgreSQL server on 127.0.0.1 with a test database, and
# prints the SQLAlchemy URL for INSIGHTS_TEST_PG_URL. Used by .ci/run; handy locally too.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main >&2
fi
pg_ctlcluster "$version" main start >&2 || true
for _ in $(seq 30); do
    su postgres -c "pg_isready -q" && break
    sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='insights'\" | grep -q 1 || psql -q -c \"CREATE ROLE insights LOGIN SUPERUSER PASSWORD 'insights'\"" >&2
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='insights_test'\" | grep -q 1 || createdb -O insights insights_test" >&2
echo "postgresql+psycopg://insights:insights@127.0.0.1:5432/insights_test"

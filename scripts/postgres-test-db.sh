#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster (Debian's `postgresql` package) and creates the role and database the
# PostgreSQL tests use. Idempotent. Prints the connection string the tests read from LFT_TEST_POSTGRES.
#   scripts/postgres-test-db.sh            # start + create
#   scripts/postgres-test-db.sh --install  # also apt-get install postgresql when it is missing (CI)
set -euo pipefail
version=15
if [[ "${1:-}" == "--install" ]] && ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "postgres-test-db: PostgreSQL is not installed (apt-get install postgresql); the PostgreSQL tests will skip." >&2
  exit 1
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
  pg_ctlcluster "$version" main start
fi
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lft_test') THEN
    CREATE ROLE lft_test LOGIN PASSWORD 'lft_test' CREATEDB;
  END IF;
END $$;
SQL
if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'lft_test'" | grep -q 1; then
  as_postgres createdb -O lft_test lft_test
fi
echo "Host=127.0.0.1;Port=5432;Username=lft_test;Password=lft_test;Database=lft_test"

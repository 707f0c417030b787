#!/usr/bin/env bash
# Regenerates the committed query metadata (.sqlx/) after a query or migration changes.
# Applies the migrations to a scratch database `portal_sqlx` and compiles with the macros online,
# which write one JSON file per query into .sqlx/ (what `cargo sqlx prepare` does, without the CLI).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
pg_start
base="${DATABASE_URL%/*}"
psql_() { psql "$base/$1" -v ON_ERROR_STOP=1 -q "${@:2}"; }
psql_ postgres -c "DROP DATABASE IF EXISTS portal_sqlx WITH (FORCE)" -c "CREATE DATABASE portal_sqlx"
for f in migrations/*.sql; do psql_ portal_sqlx -f "$f" >/dev/null; done
rm -rf .sqlx && mkdir -p .sqlx
# Touch the crates with queries so the macros run again.
find app/src server/src -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$ROOT/.sqlx" DATABASE_URL="$base/portal_sqlx" \
  cargo check -q -p server -p app --features app/ssr --all-targets
echo "$(ls .sqlx | wc -l) queries in .sqlx/"

#!/usr/bin/env bash
# The committed query metadata (.sqlx/) against the migrations: what `cargo sqlx prepare` and
# `cargo sqlx prepare --check` do, without installing sqlx-cli (minutes of compiling on 2 cores).
# Applies the migrations to a scratch database `portal_sqlx`, then lints the server and the app
# (`cargo clippy … -D warnings`, a superset of `cargo check`) with the query macros online: every
# query is checked against that database, and each macro writes its metadata to SQLX_OFFLINE_DIR.
#   (no option)  rewrite .sqlx/ (after changing a query or adding a migration; commit it)
#   --check      write into a scratch folder and fail if .sqlx/ differs (what CI runs)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
check=0; [[ "${1:-}" == "--check" ]] && check=1

trap pg_stop_if_ours EXIT
pg_start
base="${DATABASE_URL%/*}"
psql_() { psql "$base/$1" -v ON_ERROR_STOP=1 -q "${@:2}"; }
psql_ postgres -c "DROP DATABASE IF EXISTS portal_sqlx WITH (FORCE)" -c "CREATE DATABASE portal_sqlx"
for f in migrations/*.sql; do psql_ portal_sqlx -f "$f" >/dev/null; done

out="$ROOT/.sqlx"
if ((check)); then out="$(mktemp -d)"; else rm -rf .sqlx && mkdir -p .sqlx; fi
# The macros only run when their crate is compiled: touch the crates that hold queries.
find app/src server/src server/tests server/benches -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$out" DATABASE_URL="$base/portal_sqlx" \
  cargo clippy -q -p server -p app --all-targets --features app/ssr -- -D warnings

if ((check)); then
  if ! diff -r -q "$ROOT/.sqlx" "$out" >&2; then
    rm -rf "$out"
    die ".sqlx/ is out of date with the queries or migrations: run ./scripts/sqlx-prepare.sh and commit .sqlx/"
  fi
  echo "sqlx: $(ls "$out" | wc -l) compile-checked queries, .sqlx/ up to date"
  rm -rf "$out"
else
  echo "$(ls .sqlx | wc -l) queries in .sqlx/"
fi

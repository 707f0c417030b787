#!/usr/bin/env bash
# Prints the HH benchmarks (import throughput vs COPY, one meter-year, portfolio daily totals).
# Uses the project's Postgres unless DATABASE_URL is set; creates and drops `portal_bench`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
"$ROOT/scripts/bootstrap.sh" --no-browser
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")" SQLX_OFFLINE=true
trap pg_stop_if_ours EXIT
pg_start
cargo bench -p server --bench hh

#!/usr/bin/env bash
# Prints the benchmarks: HH (import throughput vs COPY, one meter-year, portfolio daily totals), bill
# validation (a 100-supply-point customer-year of invoices, against a raw read of its HH rows), the
# streamed HH export (a 100-supply-point year as CSV through the router, against a raw fetch of its
# rows) and the analysis views (heatmap and load-duration curve of a meter-year, against one pass
# over its half-hours). Uses the project's Postgres unless DATABASE_URL is set; creates and drops
# `portal_bench`, `portal_bench_bills` and `portal_bench_export`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
"$ROOT/scripts/bootstrap.sh" --no-browser
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")" SQLX_OFFLINE=true
trap pg_stop_if_ours EXIT
pg_start
cargo bench -p server --bench hh
cargo bench -p server --bench bill_validation
cargo bench -p server --bench hh_export
cargo bench -p server --bench analysis

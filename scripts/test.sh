#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, store tests on real Postgres, router and
# Lambda adapter tests, and Playwright end-to-end tests in Chromium. Installs what is missing first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
start=$(date +%s)

"$ROOT/scripts/bootstrap.sh"
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
# Builds use the committed query metadata (.sqlx/), never a live database.
export SQLX_OFFLINE=true

trap pg_stop_if_ours EXIT
pg_start

step() { log "$1 ($(( $(date +%s) - start ))s)"; }

step "format"
cargo fmt --all --check
step "lints (server + app/ssr)"
cargo clippy -p server -p app --all-targets --features app/ssr -- -D warnings
step "lints (app/hydrate for wasm32)"
cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
step "unit and store tests (app, ssr)"
cargo test -p app --features ssr
step "server tests: store, router, auth, Lambda adapter"
cargo test -p server

step "end-to-end: build the site (WASM client, then the server from the test build's artifacts)"
cargo leptos build --frontend-only
cargo build -p server
# A fresh database per run, so the browser tests see exactly the demo data.
base="${DATABASE_URL%/*}"
E2E_DATABASE_URL="$base/portal_e2e"
DATABASE_URL="$base/postgres" "$CARGO_TARGET_DIR/debug/server" reset-database portal_e2e
DATABASE_URL="$E2E_DATABASE_URL" "$CARGO_TARGET_DIR/debug/server" seed-demo
step "end-to-end: Playwright in Chromium"
(cd end2end && PORTAL_SERVER_BIN="$CARGO_TARGET_DIR/debug/server" DATABASE_URL="$E2E_DATABASE_URL" \
   LEPTOS_SITE_ROOT="$ROOT/target/site" npx playwright test)
if [[ -f end2end/screenshots/sites.png ]]; then log "screenshot: end2end/screenshots/sites.png"; fi
step "all tests passed"

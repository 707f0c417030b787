#!/usr/bin/env bash
# Runs the portal locally with demo data: installs what is missing, starts the project's Postgres
# (unless DATABASE_URL is set), migrates, loads the demo data and serves http://127.0.0.1:3000.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh" --no-browser
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
export SQLX_OFFLINE=true

trap pg_stop_if_ours EXIT
pg_start

log "building the portal (first build on a fresh machine takes several minutes)"
"$ROOT/scripts/build-site.sh"
cargo build -p server
server="$CARGO_TARGET_DIR/debug/server"
"$server" migrate
log "loading the demo data (idempotent; ~30 s)"
"$server" seed-demo
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
log "serving on http://$LEPTOS_SITE_ADDR (Ctrl-C to stop) — demo sign-ins are in the README"
"$server" serve

#!/usr/bin/env bash
# Runs the portal locally with demo data: installs what is missing, starts the project's Postgres
# (unless DATABASE_URL is set) and, unless SMTP_HOST is set, the local SMTP sink (e-mail lands in
# target/mail/maildir), builds the release client and the server, migrates, loads the demo data
# and serves http://127.0.0.1:3000. For changing code, `cargo leptos watch` (README).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
source "$ROOT/scripts/mail.sh"
cd "$ROOT"

"$ROOT/scripts/bootstrap.sh" --no-browser
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
export SQLX_OFFLINE=true

trap 'mail_stop_if_ours; pg_stop_if_ours' EXIT
pg_start
if [[ -z "${SMTP_HOST:-}" ]]; then
  mail_start
  log "e-mail (invitations, password resets) goes to the local sink: one file per message in $PORTAL_MAILDIR/new"
else
  log "e-mail goes to SMTP_HOST=$SMTP_HOST"
fi

# The client as deployed (size-optimised WASM, content-hashed names, pre-compressed), so what you
# see is its real size and speed; the server is the debug build test.sh also uses, which answers
# pages a little slower than the release build (README, Measured).
log "building the portal (the first build on a fresh machine takes a while: README, Measured)"
"$ROOT/scripts/build-site.sh" --release
cargo build -p server
server="$CARGO_TARGET_DIR/debug/server"
"$server" migrate
log "loading the demo data (idempotent; ~30 s)"
"$server" seed-demo
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://$LEPTOS_SITE_ADDR}"
log "serving on http://$LEPTOS_SITE_ADDR (Ctrl-C to stop) — demo sign-ins are in the README"
"$server" serve

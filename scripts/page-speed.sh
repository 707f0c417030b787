#!/usr/bin/env bash
# Page speed in Chromium, as the README's "Measured" section gives it: largest contentful paint,
# time until the islands are hydrated (`html[data-hydrated]`), and bytes transferred, for the
# dashboard (`/`) and the consumption page (`/consumption?sp=<id>&range=30d`), signed in as the
# demo customer admin, with a cold cache (a new browser profile) and a warm one (the same page
# reloaded). A benchmark, not a test: scripts/test.sh does not run it.
#
#   ./scripts/page-speed.sh                   # 5 runs per page and cache state, medians
#   PAGE_SPEED_RUNS=9 ./scripts/page-speed.sh
#
# Environment:
#   PAGE_SPEED_RUNS        runs per page and cache state (5)
#   PAGE_SPEED_PORT        first port to try for the server (3400; the next free one is taken)
#   PAGE_SPEED_SKIP_SEED=1 reuse the portal_speed database of an earlier run
#   PAGE_SPEED_SERVER_BIN  measure this server binary instead of building the release one
#   PAGE_SPEED_NO_BUILD=1  serve target/site as it is instead of building the release client
#   PAGE_SPEED_VERBOSE=1   also list every request of every load (type, bytes, URL) on stderr
#
# It installs what is missing (scripts/bootstrap.sh: Chromium, Playwright), starts the project's
# Postgres unless DATABASE_URL is set (and stops it after, if it started it), builds the release
# client (scripts/build-site.sh --release) and the release server, re-creates and seeds
# `portal_speed`, serves it on a free loopback port, and drives Debian's Chromium through
# Playwright (end2end/page-speed.mjs), which prints the table.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"

RUNS="${PAGE_SPEED_RUNS:-5}"
USER_EMAIL="facilities@castlegate.example"
PASSWORD="demo-password-2026"

"$ROOT/scripts/bootstrap.sh"
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
export SQLX_OFFLINE=true
apt_install curl jq

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; fi
  pg_stop_if_ours
}
trap cleanup EXIT
pg_start

if [[ -z "${PAGE_SPEED_NO_BUILD:-}" ]]; then
  log "building the release client (scripts/build-site.sh --release)"
  "$ROOT/scripts/build-site.sh" --release
fi
[[ -f "$ROOT/target/site/hash.txt" ]] || die "no target/site/hash.txt: build the site first"
if [[ -n "${PAGE_SPEED_SERVER_BIN:-}" ]]; then
  server="$PAGE_SPEED_SERVER_BIN"
  [[ -x "$server" ]] || die "PAGE_SPEED_SERVER_BIN=$server is not an executable"
else
  log "building the release server"
  cargo build --release -p server
  server="$CARGO_TARGET_DIR/release/server"
fi

base="${DATABASE_URL%/*}"
db_url="$base/portal_speed"
if [[ -z "${PAGE_SPEED_SKIP_SEED:-}" ]]; then
  log "re-creating portal_speed with the demo data (~30 s)"
  DATABASE_URL="$base/postgres" PORTAL_ENV=development "$server" reset-database portal_speed >/dev/null
  DATABASE_URL="$db_url" PORTAL_ENV=development "$server" seed-demo >/dev/null
fi

port="${PAGE_SPEED_PORT:-3400}"
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
url="http://127.0.0.1:$port"
server_log="$ROOT/target/page-speed-server.log"
log "starting the server on $url (log: target/page-speed-server.log)"
(
  # No SMTP sink: nothing measured here sends mail (a message would fail to send, and be logged).
  export DATABASE_URL="$db_url" PORTAL_ENV=development LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$ROOT/target/site" PUBLIC_BASE_URL="$url" RUST_LOG=warn
  exec "$server" serve
) >"$server_log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$server_log" >&2; die "the server exited"; }
  sleep 0.2
done
curl -fsS -o /dev/null "$url/healthz" || die "the server did not answer /healthz"

# The consumption page's supply point: of those in the customer's scope, the one with the most
# half-hours in the 30 days shown (asked through the app's own server fns).
cookie="$(curl -sS -o /dev/null -D - -X POST "$url/auth/login" \
  --data-urlencode "email=$USER_EMAIL" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-portal_session=[^;]*\).*/\1/p' | head -1)"
[[ -n "$cookie" && "$cookie" != "__Host-portal_session=" ]] || die "sign-in failed (no session cookie)"
api() { curl -fsS -X POST -H "Cookie: $cookie" "$url/api/$1" --data "${2:-}"; }
best_sp="" best_n=-1
for sp in $(api consumption/points | jq -r '.[].id'); do
  n="$(api consumption/view "supply_point_ids%5B0%5D=$sp&range=30d&unit=kwh&run=best" \
    | jq '.points[0].actual_periods + .points[0].estimated_periods')"
  if ((n > best_n)); then best_sp=$sp best_n=$n; fi
done
[[ -n "$best_sp" ]] || die "no supply points in scope for $USER_EMAIL"

hashes="$ROOT/target/site/hash.txt"
pkg_size() { # ext → size of the file as built (its brotli variant when one was written)
  local f="$ROOT/target/site/pkg/ic-portal.$(sed -n "s/^$1: //p" "$hashes").$1"
  if [[ -f "$f.br" ]]; then echo "$(wc -c <"$f.br") B brotli"; else echo "$(wc -c <"$f") B raw"; fi
}
echo
echo "Page speed $(date -u +%Y-%m-%dT%H:%MZ) · $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- server app scripts end2end style || echo '+dirty')"
echo "machine: nproc=$(nproc), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2 " GB"}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "browser: $(/usr/bin/chromium --version 2>/dev/null | head -1) (headless, Playwright), loopback, no throttling"
echo "server: ${PAGE_SPEED_SERVER_BIN:-release build}, $url, user $USER_EMAIL, supply point $best_sp"
echo "client: wasm $(pkg_size wasm), js $(pkg_size js), css $(pkg_size css)"
echo
(cd end2end && PAGE_SPEED_URL="$url" PAGE_SPEED_RUNS="$RUNS" PAGE_SPEED_USER="$USER_EMAIL" \
  PAGE_SPEED_PASSWORD="$PASSWORD" PAGE_SPEED_SP="$best_sp" PAGE_SPEED_VERBOSE="${PAGE_SPEED_VERBOSE:-}" \
  node page-speed.mjs)

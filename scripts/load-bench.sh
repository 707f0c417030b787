#!/usr/bin/env bash
# Load and latency of the release server, signed in, with a real load generator (wrk).
#
#   ./scripts/load-bench.sh                      # every target at 16 and 64 connections, 10 s each
#   LOAD_DURATION=5 LOAD_CONNECTIONS="16" ./scripts/load-bench.sh dashboard
#
# Arguments: targets to run (default: all of signin dashboard consumption12m consumption_fn).
# Environment:
#   LOAD_DURATION      seconds measured per run (10)       LOAD_WARMUP   warm-up seconds per target (2)
#   LOAD_CONNECTIONS   connection counts ("16 64")         LOAD_THREADS  wrk threads (2)
#   LOAD_USER          demo user to sign in as (facilities@castlegate.example)
#   LOAD_ENCODING      Accept-Encoding to send, e.g. "br, gzip" as a browser does (none)
#   LOAD_RUST_LOG      RUST_LOG of the server (unset: the server's default, as deployed)
#   LOAD_SKIP_SEED=1   reuse the portal_load database from an earlier run
#   LOAD_KEEP=1        leave the server running afterwards (prints its URL and cookie) for profiling
#   LOAD_SERVER_BIN    bench this server binary instead of building one (e.g. to compare two builds)
#   DB_POOL_SIZE etc.  the server's own settings pass through from the environment
#
# It installs wrk (Debian) if missing, starts the project's Postgres unless DATABASE_URL is set (and
# stops it after, if it started it), builds the release server, re-creates and seeds `portal_load`,
# serves it on a free loopback port, signs in once with curl, finds the supply point with the most
# data through the app's own server fns, then prints req/s, p50/p99 and non-2xx counts per target.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"

DURATION="${LOAD_DURATION:-10}"
WARMUP="${LOAD_WARMUP:-2}"
CONNECTIONS="${LOAD_CONNECTIONS:-16 64}"
THREADS="${LOAD_THREADS:-2}"
USER_EMAIL="${LOAD_USER:-facilities@castlegate.example}"
PASSWORD="demo-password-2026"
LUA="$ROOT/bench/load/report.lua"
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(signin dashboard consumption12m consumption_fn)

apt_install wrk curl jq
export SQLX_OFFLINE=true

server_pid=""
work="$(mktemp -d)"
cleanup() {
  if [[ -n "$server_pid" ]] && [[ -z "${LOAD_KEEP:-}" ]]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  fi
  [[ -z "${LOAD_KEEP:-}" ]] && pg_stop_if_ours
  rm -rf "$work"
}
trap cleanup EXIT
pg_start

if [[ -n "${LOAD_SERVER_BIN:-}" ]]; then
  server="$LOAD_SERVER_BIN"
  [[ -x "$server" ]] || die "LOAD_SERVER_BIN=$server is not an executable"
else
  log "building the release server"
  cargo build --release -p server
  server="$CARGO_TARGET_DIR/release/server"
fi
base="${DATABASE_URL%/*}"
db_url="$base/portal_load"
if [[ -z "${LOAD_SKIP_SEED:-}" ]]; then
  log "re-creating portal_load with the demo data (~30 s)"
  DATABASE_URL="$base/postgres" PORTAL_ENV=development "$server" reset-database portal_load >/dev/null
  DATABASE_URL="$db_url" PORTAL_ENV=development "$server" seed-demo >/dev/null
fi

port=3300
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
url="http://127.0.0.1:$port"
server_log="$ROOT/target/load-bench-server.log"
mkdir -p "$ROOT/target"
log "starting the server on $url (log: target/load-bench-server.log)"
(
  export DATABASE_URL="$db_url" PORTAL_ENV=development LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=ic-portal
  [[ -n "${LOAD_RUST_LOG:-}" ]] && export RUST_LOG="$LOAD_RUST_LOG"
  exec "$server" serve
) >"$server_log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$server_log" >&2; die "the server exited"; }
  sleep 0.2
done
curl -fsS -o /dev/null "$url/healthz" || die "the server did not answer /healthz"

# Sign in once (five failures would throttle the account). The cookie is Secure and __Host-: a
# browser keeps it only over https, but the server reads the Cookie header whatever the scheme, so
# it is taken from Set-Cookie and sent as a plain header.
log "signing in as $USER_EMAIL"
cookie="$(curl -sS -o /dev/null -D - -X POST "$url/auth/login" \
  --data-urlencode "email=$USER_EMAIL" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-portal_session=[^;]*\).*/\1/p' | head -1)"
[[ -n "$cookie" && "$cookie" != "__Host-portal_session=" ]] || die "sign-in failed (no session cookie)"
status_of() { curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$@"; }
[[ "$(status_of "$url/")" == 200 ]] || die "the dashboard does not answer 200 with the session cookie"

# The supply point with the most data: ask the app for the points in scope, then for each one's
# 12-month view, and keep the one with the most half-hours present.
api() { curl -fsS -X POST -H "Cookie: $cookie" "$url/api/$1" ${2:+--data "$2"}; }
points="$(api consumption/points | jq -r '.[].id')"
[[ -n "$points" ]] || die "no supply points in scope for $USER_EMAIL"
best_sp="" best_n=-1
for sp in $points; do
  n="$(api consumption/view "supply_point_ids%5B0%5D=$sp&range=12m&unit=kwh&run=best" | jq '.points[0].actual_periods + .points[0].estimated_periods')"
  if ((n > best_n)); then best_sp=$sp best_n=$n; fi
done
log "supply point $best_sp has the most data ($best_n half-hours in 12 months, of $(wc -w <<<"$points") in scope)"
view_body="supply_point_ids%5B0%5D=$best_sp&range=12m&unit=kwh&run=best"

# target → method, path, body, whether signed in
declare -A T_PATH T_METHOD T_BODY T_AUTH
T_PATH[signin]="/login"; T_AUTH[signin]=0
T_PATH[dashboard]="/"
T_PATH[consumption12m]="/consumption?sp=$best_sp&range=12m&run=best"
T_PATH[consumption_fn]="/api/consumption/view"; T_METHOD[consumption_fn]=POST; T_BODY[consumption_fn]="$view_body"
T_PATH[portfolio_fn]="/api/consumption/portfolio"; T_METHOD[portfolio_fn]=POST; T_BODY[portfolio_fn]=""
T_PATH[sites_fn]="/api/sites/list"; T_METHOD[sites_fn]=POST; T_BODY[sites_fn]=""
T_PATH[healthz]="/healthz"; T_AUTH[healthz]=0

run_wrk() { # target connections seconds → RESULT line
  local t=$1 c=$2 d=$3 args=()
  [[ "${T_AUTH[$t]:-1}" == 1 ]] && args+=(-H "Cookie: $cookie")
  [[ -n "${LOAD_ENCODING:-}" ]] && args+=(-H "Accept-Encoding: $LOAD_ENCODING")
  WRK_METHOD="${T_METHOD[$t]:-GET}" WRK_BODY="${T_BODY[$t]:-}" \
    wrk -t"$THREADS" -c"$c" -d"${d}s" --timeout 10s --latency -s "$LUA" "${args[@]}" "$url${T_PATH[$t]}" \
    | grep '^RESULT'
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
rows=()
for t in "${TARGETS[@]}"; do
  [[ -n "${T_PATH[$t]:-}" ]] || die "unknown target $t (known: ${!T_PATH[*]})"
  # One request by hand first: the bench must measure real answers, not redirects or errors.
  auth=(); [[ "${T_AUTH[$t]:-1}" == 1 ]] && auth=(-H "Cookie: $cookie")
  if [[ "${T_METHOD[$t]:-GET}" == POST ]]; then
    code="$(curl -sS -o "$work/body" -w '%{http_code}' "${auth[@]}" -X POST --data "${T_BODY[$t]}" "$url${T_PATH[$t]}")"
  else
    code="$(curl -sS -o "$work/body" -w '%{http_code}' "${auth[@]}" "$url${T_PATH[$t]}")"
  fi
  [[ "$code" == 200 ]] || die "$t answers $code, not 200"
  bytes=$(wc -c <"$work/body")
  log "$t: ${T_METHOD[$t]:-GET} ${T_PATH[$t]} → 200, $bytes bytes; warm-up ${WARMUP}s"
  run_wrk "$t" "${CONNECTIONS%% *}" "$WARMUP" >/dev/null
  for c in $CONNECTIONS; do
    r="$(run_wrk "$t" "$c" "$DURATION")"
    log "$t c=$c: $r"
    rows+=("$(printf '%-15s %5s %9s %9s %9s %8s  %s' "$t" "$c" "$(field rps "$r")" "$(field p50_ms "$r")" \
      "$(field p99_ms "$r")" "$(field non2xx "$r")" "$(field codes "$r")")")
  done
done

echo
echo "Load bench $(date -u +%Y-%m-%dT%H:%MZ) · $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- server app || echo '+dirty')"
echo "machine: nproc=$(nproc), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: ${LOAD_SERVER_BIN:-release build}, $url, pool ${DB_POOL_SIZE:-default}, PORTAL_ENV=development, RUST_LOG=${LOAD_RUST_LOG:-default}, user $USER_EMAIL, supply point $best_sp"
echo "wrk: $THREADS threads on the same machine, ${DURATION}s per run after ${WARMUP}s warm-up, Accept-Encoding: ${LOAD_ENCODING:-none}"
echo
printf '%-15s %5s %9s %9s %9s %8s  %s\n' target conns req/s p50_ms p99_ms non2xx statuses
printf '%s\n' "${rows[@]}"
if [[ -n "${LOAD_KEEP:-}" ]]; then
  echo
  echo "server left running (pid $server_pid): $url"
  echo "cookie: $cookie"
fi

#!/usr/bin/env bash
# Cold start of the portal function in Lambda mode, under cargo-lambda's emulator (loopback):
#  - init: the server logs `init_ms` when its start-up is done and it asks the runtime API for
#    its first event (transport.rs: from the first line of `main`, so configuration, logging,
#    the runtime, the production checks' database connections and the router are in it);
#  - the process start before `main` (exec, loading, argument parsing): `server --help`;
#  - the first request after the start and a warm one, as the emulator answers them.
# Each of ROUNDS (default 5) cold starts restarts the emulator. Prints the medians; target:
# init ≤ 50 ms. The binary is the host's (x86_64 here, the arm64 zip cannot run on this machine):
#   --release (default) the release profile at opt-level s, as scripts/package.sh builds it for
#             Lambda (a long build the first time)
#   --debug   the debug build (faster to get, slower to start)
# Runs as in production (PORTAL_ENV=production, one database login per role, which start-up
# checks), without the secrets extension (values in the environment).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
cd "$ROOT"
aws_tools_path
export SQLX_OFFLINE=true
profile=release
[[ "${1:-}" == "--debug" ]] && profile=debug
rounds="${ROUNDS:-5}"
port="${PORTAL_COLD_START_PORT:-3390}"
logs="$ROOT/target/cold-start"
mkdir -p "$logs"
emulator=""
cleanup() {
  local rc=$?
  if [[ -n "$emulator" ]] && kill -0 "$emulator" 2>/dev/null; then kill -- "-$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  pg_stop_if_ours
  exit $rc
}
trap cleanup EXIT
pg_start
release_flag=(); [[ "$profile" == release ]] && release_flag=(--release)
# As scripts/package.sh builds the Lambda binaries: the release profile at opt-level "s".
[[ "$profile" == release ]] && export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
log "building the server ($profile)"
cargo build -q -p server "${release_flag[@]}"
bin="$CARGO_TARGET_DIR/$profile/server"

# A database with the portal's two logins, as on AWS (created as migrate does it).
base="${DATABASE_URL%/*}"
"$bin" reset-database portal_cold_start >/dev/null
DATABASE_URL="$base/portal_cold_start" "$bin" migrate >/dev/null
psql "$base/portal_cold_start" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_web_app') THEN CREATE ROLE bench_web_app LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_web_auth') THEN CREATE ROLE bench_web_auth LOGIN; END IF;
END $$;
GRANT portal_app TO bench_web_app;
GRANT portal_auth TO bench_web_auth;
ALTER ROLE bench_web_app SET max_parallel_workers_per_gather = 0;
ALTER ROLE bench_web_auth SET max_parallel_workers_per_gather = 0;
SQL
host_port="${base#postgres://postgres@}"
export PORTAL_ENV=production RUST_LOG=info \
  DATABASE_URL="postgres://bench_web_app@$host_port/portal_cold_start" \
  AUTH_DATABASE_URL="postgres://bench_web_auth@$host_port/portal_cold_start" \
  SESSION_KEYS="bench:0123456789abcdef0123456789abcdef-bench" MFA_SECRET="0123456789abcdef0123456789abcdef-bench" \
  SMTP_HOST=127.0.0.1 SMTP_PORT=2525 SMTP_TLS=none PUBLIC_BASE_URL="https://portal.example" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=ic-portal ASSET_ORIGIN="https://static.portal.example"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ms() { awk '{printf "%.1f\n", $1 * 1000}'; }

# The process start alone: exec, dynamic loading, clap (the binary prints its help and exits).
for _ in $(seq 1 20); do
  s=$(date +%s%N); "$bin" --help >/dev/null; e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
done | median | awk '{printf "%.1f\n", $1 / 1000}' >"$logs/exec.txt"

: >"$logs/init.txt"; : >"$logs/first.txt"; : >"$logs/warm.txt"
for round in $(seq 1 "$rounds"); do
  setsid cargo lambda watch -p server --bin server "${release_flag[@]}" --ignore-changes --invoke-address 127.0.0.1 --invoke-port "$port" \
    >"$logs/emulator-$round.log" 2>&1 &
  emulator=$!
  # The emulator first; then the first request starts the function (a cold start).
  for _ in $(seq 1 600); do
    kill -0 "$emulator" 2>/dev/null || { tail -20 "$logs/emulator-$round.log" >&2; die "the emulator stopped"; }
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
  first=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/healthz")
  [[ "${first%% *}" == 200 ]] || { tail -20 "$logs/emulator-$round.log" >&2; die "/healthz answered ${first%% *}"; }
  echo "${first#* }" | ms >>"$logs/first.txt"
  for _ in $(seq 1 10); do
    curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/healthz"
  done | median | ms >>"$logs/warm.txt"
  init=$(grep -o '"init_ms":[0-9.]*' "$logs/emulator-$round.log" | head -1 | cut -d: -f2)
  [[ -n "$init" ]] || { tail -20 "$logs/emulator-$round.log" >&2; die "no init_ms in the function's log"; }
  echo "$init" >>"$logs/init.txt"
  kill -- "-$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; emulator=""
done

init=$(median <"$logs/init.txt" | awk '{printf "%.1f", $1}')
exec_ms=$(cat "$logs/exec.txt")
printf '\ncold start of the portal function (%s build, host %s, %s rounds, emulator on loopback):\n' "$profile" "$(uname -m)" "$rounds"
printf '  init (main to the first event request): median %s ms  [%s]\n' "$init" "$(awk '{printf "%.1f ", $1}' "$logs/init.txt")"
printf '  process start before main (server --help, with its date calls): median %s ms\n' "$exec_ms"
printf '  init + process start: %s ms (target <= 50 ms)\n' "$(awk -v a="$init" -v b="$exec_ms" 'BEGIN {printf "%.1f", a + b}')"
printf '  first request after the start (through the emulator, which starts the function with cargo run): median %s ms\n' "$(median <"$logs/first.txt")"
printf '  warm request (through the emulator): median %s ms\n' "$(median <"$logs/warm.txt")"

#!/usr/bin/env bash
# The portal in Lambda mode, in a browser: the server binary under cargo-lambda's emulator
# (`cargo lambda watch`, loopback only), which turns each HTTP request into an API Gateway HTTP
# API event for lambda_http, the way API Gateway does; then Playwright in Chromium runs
# end2end/lambda/ (sign-in, pages, a server fn, the static files) against it.
#   --all   run the whole end-to-end suite (end2end/tests) against the emulator instead
# Uses the project's Postgres (a fresh `portal_lambda_e2e` database with the demo data) and the
# SMTP sink, and the local S3 server (scripts/s3.sh) as the export bucket's; builds the site (dev)
# and the server if needed. PORTAL_E2E_PORT (default 3300) is the
# emulator's port. scripts/test.sh runs it as a phase.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
source "$ROOT/scripts/mail.sh"
source "$ROOT/scripts/s3.sh"
cd "$ROOT"
aws_tools_path
export SQLX_OFFLINE=true
all=0
[[ "${1:-}" == "--all" ]] && all=1
port="${PORTAL_E2E_PORT:-3300}"
logs="$ROOT/target/lambda-e2e"
mkdir -p "$logs"
emulator=""
cleanup() {
  local rc=$?
  # The emulator runs in a session of its own (setsid): end it and the function it spawned.
  if [[ -n "$emulator" ]] && kill -0 "$emulator" 2>/dev/null; then
    kill -- "-$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
  fi
  s3_stop_if_ours
  mail_stop_if_ours
  pg_stop_if_ours
  exit $rc
}
trap cleanup EXIT
(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "port $port is in use (set PORTAL_E2E_PORT)"

pg_start
mail_start
# HH exports go to an S3 bucket as on AWS (server/src/export/offload): the local S3 server, a
# bucket of this run's own.
s3_start
export_bucket="hh-exports-e2e-$$"
curl -fsS -X PUT "$AWS_ENDPOINT_URL_S3/$export_bucket" -o /dev/null || die "could not create the export bucket"
[[ -f target/site/pkg/ic-portal.wasm || -n "$(ls target/site/pkg/*.wasm 2>/dev/null)" ]] || "$ROOT/scripts/build-site.sh"
cargo build -q -p server
base="${DATABASE_URL%/*}"
db_url="$base/portal_lambda_e2e"
DATABASE_URL="$base/postgres" "$CARGO_TARGET_DIR/debug/server" reset-database portal_lambda_e2e >/dev/null
DATABASE_URL="$db_url" "$CARGO_TARGET_DIR/debug/server" seed-demo >/dev/null

log "starting the server under cargo-lambda's emulator on 127.0.0.1:$port"
# The function process inherits this environment; the emulator adds AWS_LAMBDA_RUNTIME_API, so
# the server serves through the Lambda runtime (transport.rs), as on AWS.
DATABASE_URL="$db_url" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=ic-portal \
  PUBLIC_BASE_URL="http://127.0.0.1:$port" RUST_LOG="warn,server::transport=info" \
  EXPORT_BUCKET="$export_bucket" EXPORT_S3_ENDPOINT="$AWS_ENDPOINT_URL_S3" \
  EXPORT_DOWNLOAD_ORIGIN="$AWS_ENDPOINT_URL_S3" \
  setsid cargo lambda watch -p server --bin server --ignore-changes --invoke-address 127.0.0.1 --invoke-port "$port" \
  >"$logs/emulator.log" 2>&1 &
emulator=$!
ready=0
for _ in $(seq 1 600); do
  kill -0 "$emulator" 2>/dev/null || { tail -30 "$logs/emulator.log" >&2; die "the emulator stopped"; }
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then ready=1; break; fi
  sleep 0.5
done
((ready)) || { tail -30 "$logs/emulator.log" >&2; die "the server did not answer under the emulator"; }
grep -q '"init_ms"' "$logs/emulator.log" || die "the server did not start in Lambda mode (no init_ms log line)"
log "serving in Lambda mode: $(grep -o '"init_ms":[0-9.]*' "$logs/emulator.log" | head -1)"

cd end2end
export PORTAL_EXPORT_ORIGIN="$AWS_ENDPOINT_URL_S3"
if ((all)); then
  PORTAL_E2E_PORT="$port" DATABASE_URL="$db_url" npx playwright test
else
  PORTAL_E2E_PORT="$port" DATABASE_URL="$db_url" npx playwright test -c playwright.lambda.config.ts
fi

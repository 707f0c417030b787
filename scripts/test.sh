#!/usr/bin/env bash
# Runs every test: formatting, the migration policy, lints with every query checked against the
# migrations, unit tests, store tests on real Postgres, router and Lambda adapter tests, the AWS
# template's lints and the S3 ingest, Playwright end-to-end tests in Chromium (on axum::serve, then
# in Lambda mode under cargo-lambda's emulator), and the Lambda packages. Installs what is missing
# first; prints each phase's time.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/pg.sh"
source "$ROOT/scripts/mail.sh"
cd "$ROOT"
start=$(date +%s); phase_start=$start; phase_name=""; phases=()

# Closes the running phase (recording its time) and opens the next one.
step() {
  local now; now=$(date +%s)
  [[ -n "$phase_name" ]] && phases+=("$(printf '%5ds  %s' $((now - phase_start)) "$phase_name")")
  phase_name="$1"; phase_start=$now
  [[ -n "$1" ]] && log "$1 ($((now - start))s)"
  return 0
}
summary() {
  local rc=$?
  step ""
  log "phase times (total $(( $(date +%s) - start ))s):"
  printf '%s\n' "${phases[@]}" >&2
  mail_stop_if_ours
  pg_stop_if_ours
  exit $rc
}

step "install what is missing (scripts/bootstrap.sh)"
"$ROOT/scripts/bootstrap.sh"
export RUSTUP_TOOLCHAIN="$(cat "$CACHE/toolchain")"
# Builds use the committed query metadata (.sqlx/), except the lint step, which checks it.
export SQLX_OFFLINE=true

trap summary EXIT
pg_start
# The tests send e-mail to a real SMTP server and read it back: the local sink (scripts/mail.sh).
mail_start

step "format, migration policy"
cargo fmt --all --check
"$ROOT/scripts/check-migrations.sh"
step "lints (server + app/ssr), queries checked against the migrations, .sqlx/ up to date"
"$ROOT/scripts/sqlx-prepare.sh" --check
step "lints (app/hydrate for wasm32)"
cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
step "unit and store tests (app, ssr)"
cargo test -p app --features ssr
step "server tests: store, router, auth, Lambda adapter"
cargo test -p server
step "AWS: template (cfn-lint, sam validate --lint), deploy hooks, connection budget (scripts/infra-lint.sh)"
"$ROOT/scripts/infra-lint.sh"
step "AWS: S3 ingest against a local S3 server, jobs binary lints (scripts/ingest-test.sh)"
"$ROOT/scripts/ingest-test.sh"
step "fuzz: importer CSV, MPAN, API Gateway events (scripts/fuzz.sh, 30 s a target)"
"$ROOT/scripts/fuzz.sh" 30

step "end-to-end: build the site (WASM client without cargo-leptos, then the server)"
"$ROOT/scripts/build-site.sh"
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
step "AWS: the portal in Lambda mode under cargo-lambda's emulator, Playwright (scripts/lambda-e2e.sh)"
PORTAL_E2E_PORT="${PORTAL_LAMBDA_E2E_PORT:-3300}" "$ROOT/scripts/lambda-e2e.sh"
# The Lambda packages: a release build of both functions for arm64 and of the client. With the
# target dir warm it takes minutes; from nothing about 20 (measured: infra/README.md), which a
# fresh machine's run cannot afford within CI's 90 minutes. PORTAL_PACKAGE=always|never|auto
# (default auto: run it when the arm64 build is warm or the run so far leaves room for it).
package="${PORTAL_PACKAGE:-auto}"
if [[ "$package" == auto ]]; then
  elapsed=$(( $(date +%s) - start ))
  triple=aarch64-unknown-linux-gnu
  [[ "$(cat "$CACHE/lambda-arch" 2>/dev/null)" == x86_64 ]] && triple=x86_64-unknown-linux-gnu
  if [[ -d "$CARGO_TARGET_DIR/$triple/release/deps" ]] || (( elapsed < 55 * 60 )); then
    package=always
  else
    package=never
    log "not packaging for Lambda: ${elapsed}s so far and a cold arm64 build takes ~20 min (PORTAL_PACKAGE=always to force)"
  fi
fi
if [[ "$package" == always ]]; then
  step "AWS: package both functions for Lambda, zip sizes (scripts/package.sh)"
  "$ROOT/scripts/package.sh"
fi
step ""
log "all tests passed"

# A local S3-compatible server for the ingest tests (sourced, like pg.sh and mail.sh): moto's
# server mode (PyPI moto, in the AWS tools' venv that scripts/bootstrap.sh installs) on loopback,
# in memory, nothing written to disk. The tests reach it through the AWS SDK as on AWS.
#   s3_start          start it (unless one we started runs) and export AWS_ENDPOINT_URL_S3,
#                     AWS_REGION and test credentials for it
#   s3_stop_if_ours   stop it, only if this script started it
# Port: PORTAL_S3_PORT, else 9320 or the next free one.

S3_DIR="$ROOT/target/s3"
S3_PID_FILE="$S3_DIR/server.pid"
S3_PORT_FILE="$S3_DIR/server.port"
S3_STARTED_BY_US=0

s3_running() {
  [[ -f "$S3_PID_FILE" ]] && kill -0 "$(cat "$S3_PID_FILE")" 2>/dev/null \
    && grep -q moto_server "/proc/$(cat "$S3_PID_FILE")/cmdline" 2>/dev/null
}

s3_start() {
  [[ -x "$AWS_VENV/bin/moto_server" ]] || die "moto is not installed: run scripts/bootstrap.sh"
  mkdir -p "$S3_DIR"
  local port="${PORTAL_S3_PORT:-9320}"
  if s3_running; then
    port="$(cat "$S3_PORT_FILE")"
  else
    if [[ -z "${PORTAL_S3_PORT:-}" ]]; then
      while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    elif (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "PORTAL_S3_PORT=$port is in use by something this script did not start"
    fi
    log "starting the local S3 server (moto) on 127.0.0.1:$port"
    "$AWS_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$S3_DIR/server.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$S3_PID_FILE"
    echo "$port" >"$S3_PORT_FILE"
    local i
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.1
    done
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && kill -0 "$pid" 2>/dev/null \
      || { cat "$S3_DIR/server.log" >&2; rm -f "$S3_PID_FILE"; die "the local S3 server did not start"; }
    S3_STARTED_BY_US=1
  fi
  export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$port"
  export AWS_REGION=eu-west-2 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  unset AWS_SESSION_TOKEN AWS_PROFILE
}

s3_stop_if_ours() {
  if ((S3_STARTED_BY_US)) && s3_running; then
    log "stopping the local S3 server this script started"
    kill "$(cat "$S3_PID_FILE")" 2>/dev/null || true
    rm -f "$S3_PID_FILE"
    S3_STARTED_BY_US=0
  fi
}

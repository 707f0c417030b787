# Local SMTP sink (sourced by run.sh and test.sh, like pg.sh): a real SMTP server on loopback
# (scripts/smtp-sink.py, PyPI aiosmtpd, installed by bootstrap.sh) that writes every message it
# receives into a Maildir under target/mail/ and relays nothing. Tests read their mail there.
#   mail_start          start it (unless one we started is running) and export SMTP_* for it
#   mail_stop_if_ours   stop it, only if this script started it
# Port: PORTAL_SMTP_PORT, else 2525 or the next free one.

MAIL_DIR="$ROOT/target/mail"
MAIL_PID_FILE="$MAIL_DIR/sink.pid"
MAIL_PORT_FILE="$MAIL_DIR/sink.port"
MAIL_SINK_PY="$TOOLS/smtp-sink/bin/python"
MAIL_STARTED_BY_US=0

mail_running() {
  [[ -f "$MAIL_PID_FILE" ]] && kill -0 "$(cat "$MAIL_PID_FILE")" 2>/dev/null \
    && grep -q smtp-sink "/proc/$(cat "$MAIL_PID_FILE")/cmdline" 2>/dev/null
}

mail_start() {
  [[ -x "$MAIL_SINK_PY" ]] || die "the SMTP sink is not installed: run scripts/bootstrap.sh"
  mkdir -p "$MAIL_DIR/maildir"
  local port="${PORTAL_SMTP_PORT:-2525}"
  if mail_running; then
    port="$(cat "$MAIL_PORT_FILE")"
  else
    if [[ -z "${PORTAL_SMTP_PORT:-}" ]]; then
      while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    elif (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "PORTAL_SMTP_PORT=$port is in use by something this script did not start"
    fi
    log "starting the SMTP sink on 127.0.0.1:$port (mail lands in target/mail/maildir)"
    "$MAIL_SINK_PY" "$ROOT/scripts/smtp-sink.py" --port "$port" --maildir "$MAIL_DIR/maildir" \
      >"$MAIL_DIR/sink.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$MAIL_PID_FILE"
    echo "$port" >"$MAIL_PORT_FILE"
    local i
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      grep -q '^smtp sink on' "$MAIL_DIR/sink.log" 2>/dev/null && break
      sleep 0.2
    done
    grep -q '^smtp sink on' "$MAIL_DIR/sink.log" 2>/dev/null && kill -0 "$pid" 2>/dev/null \
      || { cat "$MAIL_DIR/sink.log" >&2; rm -f "$MAIL_PID_FILE"; die "the SMTP sink did not start"; }
    MAIL_STARTED_BY_US=1
  fi
  export SMTP_HOST=127.0.0.1 SMTP_PORT="$port" SMTP_TLS=none
  unset SMTP_USERNAME SMTP_PASSWORD
  export PORTAL_MAILDIR="$MAIL_DIR/maildir"
}

mail_stop_if_ours() {
  if ((MAIL_STARTED_BY_US)) && mail_running; then
    log "stopping the SMTP sink this script started"
    kill "$(cat "$MAIL_PID_FILE")" 2>/dev/null || true
    rm -f "$MAIL_PID_FILE"
    MAIL_STARTED_BY_US=0
  fi
}

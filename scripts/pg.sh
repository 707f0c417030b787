# Embedded default Postgres (sourced by run.sh and test.sh).
# When DATABASE_URL is unset: start a project-local cluster from the system's PostgreSQL binaries
# (data under target/pg, or /var/tmp/ic-portal-pg/… when the postgres user cannot reach the
# clone; its own port and socket), and stop it on exit only if we started it.
# When DATABASE_URL is set: use it as it is.

PG_DIR="$ROOT/target/pg"
# As root, Postgres runs as the `postgres` user, which must reach its data dir. A clone under a
# directory it cannot enter (`mktemp -d` makes 0700 ones) keeps the cluster under /var/tmp
# instead, one per clone.
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  PG_DIR="/var/tmp/ic-portal-pg/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
fi
PG_PORT="${PORTAL_PG_PORT:-55432}"
PG_PORT_FILE="$PG_DIR/port"
PG_STARTED_BY_US=0

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [[ -n "$d" && -x "$d/initdb" ]] || { apt_install postgresql; d="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"; }
  echo "$d"
}

# Postgres refuses to run as root: run its binaries as the `postgres` system user then.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    log "using DATABASE_URL from the environment"
    return 0
  fi
  local bin; bin="$(pg_bin)"
  mkdir -p "$PG_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR"
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    log "creating the project's Postgres cluster in $PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    # Already running (started earlier by us): use the port it was started on.
    [[ -f "$PG_PORT_FILE" ]] && PG_PORT="$(cat "$PG_PORT_FILE")"
  else
    # Another clone's cluster (or anything else) may hold the port: take the next free one.
    if [[ -z "${PORTAL_PG_PORT:-}" ]]; then
      while (echo >"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
    fi
    log "starting Postgres on 127.0.0.1:$PG_PORT"
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200 -c shared_buffers=256MB" >/dev/null \
      || { tail -20 "$PG_DIR/postgres.log" >&2; die "Postgres did not start"; }
    PG_STARTED_BY_US=1
    echo "$PG_PORT" >"$PG_PORT_FILE"
  fi
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'portal'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres portal
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal"
}

pg_stop_if_ours() {
  if ((PG_STARTED_BY_US)); then
    log "stopping the Postgres this script started"
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
    PG_STARTED_BY_US=0
  fi
}

#!/usr/bin/env bash
# Shared helpers for scripts/up, scripts/test and scripts/bench. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${ATRIUM_STATE_DIR:-$ROOT/.atrium}"
PG_PORT="${ATRIUM_PG_PORT:-54329}"
PG_BIN="/usr/lib/postgresql/15/bin"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs Debian packages that are missing; never upgrades what is there.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || die "cargo not found: install Rust with rustup (https://rustup.rs)"
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# Runs a command as the postgres OS user when we are root (initdb refuses root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DIR PORT SUPERUSER_PASSWORD: creates (once) and starts a cluster.
pg_start() {
  local dir="$1" port="$2" pw="$3"
  if [ ! -s "$dir/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $dir (port $port)"
    mkdir -p "$dir"
    local pwfile; pwfile="$(mktemp)"
    printf '%s' "$pw" > "$pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir" "$pwfile"; fi
    as_postgres "$PG_BIN/initdb" -D "$dir" -U postgres --auth=scram-sha-256 -E UTF8 --no-locale \
      --pwfile="$pwfile" >/dev/null
    rm -f "$pwfile"
  fi
  if as_postgres "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    return 0
  fi
  # Parent directories must be traversable by the postgres user.
  if [ "$(id -u)" = 0 ]; then chmod o+x "$(dirname "$dir")" 2>/dev/null || true; fi
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -w -t 60 -l "$dir/server.log" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=${ATRIUM_PG_MAX_CONNECTIONS:-200} ${ATRIUM_PG_EXTRA_OPTS:-}" \
    start >/dev/null || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  local dir="$1"
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# Waits until URL answers 2xx, for at most $2 seconds.
wait_http() {
  local url="$1" secs="${2:-30}"
  for _ in $(seq 1 $((secs * 10))); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$url did not answer within ${secs}s"
}

# ch_start DIR HTTP_PORT TCP_PORT: a ClickHouse server of our own (Debian's package),
# listening on 127.0.0.1 only, data under DIR. Idempotent.
ch_start() {
  local dir="$1" http="$2" tcp="$3"
  if curl -fsS "http://127.0.0.1:$http/ping" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$dir"/{data,tmp,log,user_files}
  cp /etc/clickhouse-server/users.xml "$dir/users.xml"
  sed -e "s|@DIR@|$dir|g" -e "s|@HTTP@|$http|g" -e "s|@TCP@|$tcp|g" \
    "$ROOT/scripts/clickhouse-local.xml" > "$dir/config.xml"
  nohup clickhouse-server --config-file="$dir/config.xml" >/dev/null 2>&1 &
  echo $! > "$dir/pid"
  wait_http "http://127.0.0.1:$http/ping" 60
}

# ch_stop DIR: stops it and waits (at most 30 s) until it has exited.
ch_stop() {
  local dir="$1" pid
  [ -f "$dir/pid" ] || return 0
  pid="$(cat "$dir/pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/pid"
}

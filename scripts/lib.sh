#!/usr/bin/env bash
# Shared helpers for the scripts in scripts/. Sourced, not run; every script runs from
# the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Where scripts keep what outlives a run (used by the scripts that source this file,
# which shellcheck cannot see when it checks this file alone).
# shellcheck disable=SC2034
STATE="${ATRIUM_STATE_DIR:-$ROOT/.atrium}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

# The debug atrium binary's path, built first. ATRIUM_PREBUILT_BIN names one already
# built instead, for iterating on web/ alone without a Rust build of one's own.
debug_binary() {
  if [ -n "${ATRIUM_PREBUILT_BIN:-}" ]; then
    echo "$ATRIUM_PREBUILT_BIN"
  else
    cargo build --quiet --bin atrium >&2
    echo "$TARGET/debug/atrium"
  fi
}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# reserve_ports PORT...: keeps the kernel from handing these ports out as the source port
# of an outgoing connection (or to a bind to port 0) while this script runs. A fixed port
# above 32767 lies in the ephemeral range every connect() draws from, so a server started
# or restarted on it could find it taken; a reserved port is still open to an explicit
# bind. Added to what net.ipv4.ip_local_reserved_ports held, and put back by
# unreserve_ports. Best effort: without the right to write it, nothing changes.
RESERVED_PORTS_FILE=/proc/sys/net/ipv4/ip_local_reserved_ports
RESERVED_BEFORE=""
reserve_ports() {
  [ -w "$RESERVED_PORTS_FILE" ] || return 0
  RESERVED_BEFORE="$(cat "$RESERVED_PORTS_FILE")" || return 0
  local ours; ours="$(IFS=,; echo "$*")"
  echo "${RESERVED_BEFORE:+$RESERVED_BEFORE,}$ours" 2>/dev/null >"$RESERVED_PORTS_FILE" || return 0
  RESERVED_SET=1
}
unreserve_ports() {
  [ -n "${RESERVED_SET:-}" ] || return 0
  echo "$RESERVED_BEFORE" 2>/dev/null >"$RESERVED_PORTS_FILE" || true
  RESERVED_SET=""
}

# Installs Debian packages that are missing; never upgrades what is there. Waits for
# another apt or dpkg run (another script, unattended-upgrades) instead of failing.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
      install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || die "cargo not found: install Rust with rustup (https://rustup.rs)"
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# PostgreSQL and ClickHouse are started and stopped by atrium-stack, the launcher the
# tests use too (crates/atrium-testkit); `stack` with no build first is an error.
ensure_stack() {
  ensure_rust
  cargo build --quiet -p atrium-testkit --bin atrium-stack
}
stack() { "$TARGET/debug/atrium-stack" "$@"; }

# Builds the web app into web/dist, unless its sources are what the last build here was
# made from (the marker sits in node_modules, which `npm ci` replaces).
web_build() {
  local sources inputs marker=web/node_modules/.atrium-dist-inputs
  mapfile -t sources < <(find web/src web/index.html web/package.json web/package-lock.json \
    web/vite.config.ts web/tsconfig.json -type f | sort)
  inputs="$(cat "${sources[@]}" | sha256sum | cut -c1-16)"
  if [ -d web/dist ] && [ "$(cat "$marker" 2>/dev/null)" = "$inputs" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build >/dev/null)
  echo "$inputs" > "$marker"
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

# start_services DIR BIN SERVICE...: `BIN SERVICE` in the background for each service,
# its pid in DIR/run/SERVICE.pid and its output in DIR/logs/SERVICE.log. A SERVICE may
# carry arguments ("api --dev-tenant-param"). Whatever an earlier call left running is
# stopped first.
start_services() {
  local dir="$1" bin="$2" entry svc args
  shift 2
  for entry in "$@"; do stop_services "$dir" "${entry%% *}"; done
  mkdir -p "$dir/run" "$dir/logs"
  for entry in "$@"; do
    read -r svc args <<<"$entry"
    # shellcheck disable=SC2086 # the arguments are words
    nohup "$bin" "$svc" $args >"$dir/logs/$svc.log" 2>&1 &
    echo $! >"$dir/run/$svc.pid"
  done
}

# alive PID: it runs; an exited child not yet reaped (a zombie) does not count.
alive() {
  [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null
}

# stop_services DIR SERVICE...: stops what start_services started, by the pids it
# recorded: SIGTERM, at most 30 s to drain, then SIGKILL. A pid file that names another
# program (the service died and its pid was reused) is only removed.
stop_services() {
  local dir="$1" svc pid
  shift
  for svc in "$@"; do
    [ -f "$dir/run/$svc.pid" ] || continue
    pid="$(cat "$dir/run/$svc.pid")"
    if grep -qa "atrium" "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null; then
      log "stopping $svc"
      for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then
        log "$svc did not stop within 30 s; killing it"
        kill -9 "$pid" 2>/dev/null || true
      fi
      # Reaps it when it is a child of this shell (it has exited by now).
      wait "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/run/$svc.pid"
  done
}


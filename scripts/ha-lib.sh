#!/usr/bin/env bash
# Shared by scripts/ha-up, ha-down and ha-e2e: where the one-machine HA cluster lives
# (one etcd, two PostgreSQL 15 nodes under Patroni) and how to ask it things. Sourced
# after lib.sh, not run.
# The variables are used by the scripts that source this file, which shellcheck cannot
# see when it checks this file alone.
# shellcheck disable=SC2034

HA="${ATRIUM_HA_DIR:-$STATE/ha}"
HA_SCOPE=atrium-ha
ETCD_CLIENT=57379
ETCD_PEER=57380
# Node i: PostgreSQL on 5701i, Patroni's REST API on 5702i.
HA_NODES=(n1 n2)
pg_port() { echo $((57010 + ${1#n})); }
rest_port() { echo $((57020 + ${1#n})); }
# Development defaults only, marked as such; a real cluster takes its own from a secret store.
HA_SUPERUSER_PASSWORD=dev-only-insecure-ha-superuser
HA_REPLICATION_PASSWORD=dev-only-insecure-ha-replication
HA_REWIND_PASSWORD=dev-only-insecure-ha-rewind
# Every node, in the order clients try them; with target_session_attrs=read-write a
# client lands on whichever is the primary now.
HA_HOSTS="127.0.0.1:$(pg_port n1),127.0.0.1:$(pg_port n2)"
HA_SUPERUSER_URL="postgres://postgres:$HA_SUPERUSER_PASSWORD@$HA_HOSTS/postgres?target_session_attrs=read-write"

patronictl_ha() { patronictl -c "$HA/n1/patroni.yml" "$@"; }

# The cluster as Patroni's REST API sees it (any node answers for all): JSON.
ha_cluster() {
  local n
  for n in "${HA_NODES[@]}"; do
    curl -fsS --max-time 2 "http://127.0.0.1:$(rest_port "$n")/cluster" 2>/dev/null && return 0
  done
  return 1
}

# The name of the node holding the leader key, or nothing.
ha_leader() {
  ha_cluster | python3 -c 'import json,sys
print(next((m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "leader"), ""))' 2>/dev/null || true
}

# True when there is a leader and every other node is a running synchronous standby
# (or, with synchronous_mode off, a running replica) with no replication lag.
ha_healthy() {
  ha_cluster | python3 -c 'import json,sys
ms = json.load(sys.stdin)["members"]
lead = [m for m in ms if m["role"] == "leader" and m["state"] == "running"]
reps = [m for m in ms if m["role"] != "leader"]
ok = len(lead) == 1 and len(ms) == 2 and all(
    m["role"] in ("sync_standby", "replica") and m["state"] in ("running", "streaming") and m.get("lag", 1) == 0
    for m in reps)
sys.exit(0 if ok else 1)' 2>/dev/null
}

# Waits until ha_healthy (and, with "sync", until the standby is the synchronous one),
# for at most $1 seconds.
ha_wait_healthy() {
  local secs="$1" want="${2:-}"
  for _ in $(seq 1 $((secs * 5))); do
    if ha_healthy && { [ "$want" != sync ] || ha_cluster | grep -q '"sync_standby"'; }; then return 0; fi
    sleep 0.2
  done
  return 1
}

# The postmaster's PID on node $1 (first line of postmaster.pid), or nothing.
ha_postmaster_pid() {
  head -1 "$HA/$1/data/postmaster.pid" 2>/dev/null || true
}

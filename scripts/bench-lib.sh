# Shared by scripts/bench and scripts/bench-pooler: one load run against a fresh API
# process, and the tenants the runs load. The caller sets BIN, DIR, PORT (PostgreSQL),
# API_PORT, API_METRICS_PORT, CONC and SECONDS_LOAD, and the ATRIUM_* environment.
# shellcheck shell=bash

# CPU time a process has used so far, in clock ticks (user + system).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run_api TRACKING OUTPUT [TENANTS GET]: one warmed-up load run against a fresh API
# process; OUTPUT.cpu gets the API's CPU ms per request during it.
run_api() {
  local tenants="${3:-$DIR/load-tenants.json}" get=()
  [ -n "${4:-}" ] && get=(--get "$4")
  ATRIUM_ANALYTICS__ENABLED="$1" ATRIUM_API__LISTEN="127.0.0.1:$API_PORT" ATRIUM_LOG_FORMAT=json RUST_LOG=warn \
    "$BIN/atrium" api 2> "$DIR/api-$1.log" &
  API_PID=$!
  wait_http "http://127.0.0.1:$API_PORT/readyz" 20
  "$BIN/atrium-bench" load --url "http://127.0.0.1:$API_PORT" --tenants "$tenants" "${get[@]}" --concurrency "$CONC" --seconds 3 > /dev/null
  local t0; t0="$(cpu_ticks "$API_PID")"
  "$BIN/atrium-bench" load --url "http://127.0.0.1:$API_PORT" --tenants "$tenants" "${get[@]}" --concurrency "$CONC" --seconds "$SECONDS_LOAD" > "$2"
  jq -r --argjson ticks "$(( $(cpu_ticks "$API_PID") - t0 ))" --argjson hz "$(getconf CLK_TCK)" \
    '$ticks * 1000 / $hz / .requests' "$2" > "$2.cpu"
  RSS_KB="$(awk '/VmHWM/ {print $2}' "/proc/$API_PID/status")"
  POOL="$(curl -s "http://127.0.0.1:$API_METRICS_PORT/metrics" | awk '/^db_pool_max_size/ {print $2}')"
  kill "$API_PID"; wait "$API_PID" 2>/dev/null || true; API_PID=""
}

# read_tenant: one tenant with 10,000 customers and its plan's limits lifted (this measures
# the API's cost per request, not the tenant's plan); its key in $DIR/read-tenant.json.
read_tenant() {
  "$BIN/atrium-bench" provision --count 1 --prefix read --keys --plan enterprise > "$DIR/read-tenant-full.json"
  jq -c .keys "$DIR/read-tenant-full.json" > "$DIR/read-tenant.json"
  PGPASSWORD=bench-superuser psql -h 127.0.0.1 -p "$PORT" -U postgres -d atrium_bench -q -v ON_ERROR_STOP=1 -c \
    "INSERT INTO t_read_0.customers (id, name, industry) SELECT gen_random_uuid(), 'Customer ' || g, 'Industry ' || g % 20 FROM generate_series(1, 10000) g" \
    -c "ANALYZE t_read_0.customers" \
    -c "UPDATE atrium_control.tenants SET limit_overrides = '{\"db_ms_per_minute\": 3600000, \"requests_per_second\": 100000, \"burst\": 100000}' WHERE slug = 'read_0'"
}

# load_tenants: the 10 tenants the order inserts go to, their keys in $DIR/load-tenants.json.
# Enterprise: this measures the API's capacity, not a tenant's plan (8 connections each).
load_tenants() {
  "$BIN/atrium-bench" provision --count 10 --prefix load --keys --plan enterprise > "$DIR/load-tenants-full.json"
  jq -c .keys "$DIR/load-tenants-full.json" > "$DIR/load-tenants.json"
}

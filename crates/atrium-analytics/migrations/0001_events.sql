-- Tracking events. Runs in the configured database; SQL accepted by ClickHouse 18.16
-- and 24.x alike (no LowCardinality, no DateTime64, no query parameters).
--
-- ReplacingMergeTree collapses rows with the same sorting key, and the sorting key ends
-- with event_id, so a batch inserted twice (the collector crashed after ClickHouse
-- acknowledged it but before its checkpoint) becomes one row once parts merge. Queries
-- read with FINAL, so counts are exact before any merge happens.
-- Partitioned by month; the tenant comes first in the key (as PostHog's team_id and
-- Plausible's site_id do), so a dashboard query reads one tenant's range only.
CREATE TABLE IF NOT EXISTS events (
    tenant       String,
    event_id     UUID,
    name         String,
    actor        String,
    session_id   String,
    path         String,
    url          String,
    referrer     String,
    user_agent   String,
    ts           DateTime('UTC'),
    client_ts    DateTime('UTC'),
    duration_ms  UInt64,
    prop_keys    Array(String),
    prop_values  Array(String),
    inserted_at  DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, toDate(ts), name, event_id);

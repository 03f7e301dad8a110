-- Per-tenant limits and what the control plane measured against them.
--
-- limit_overrides: an operator's changes to the plan's limits (domain::LimitOverrides);
-- a field left out follows the plan, so a plan change moves every limit not overridden.
-- The *_over_quota flags are what the data plane enforces; the control plane's usage
-- sampler sets them and NOTIFYs when one flips.
ALTER TABLE atrium_control.tenants
    ADD COLUMN limit_overrides     jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(limit_overrides) = 'object'),
    ADD COLUMN storage_bytes       bigint,
    ADD COLUMN storage_measured_at timestamptz,
    ADD COLUMN storage_over_quota  boolean NOT NULL DEFAULT false,
    ADD COLUMN events_month        bigint,
    ADD COLUMN events_measured_at  timestamptz,
    ADD COLUMN events_over_quota   boolean NOT NULL DEFAULT false;

-- One row per tenant per sample: the usage tab's storage and rows-written series.
CREATE TABLE atrium_control.tenant_usage_samples (
    tenant_id     uuid NOT NULL REFERENCES atrium_control.tenants (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL,
    storage_bytes bigint NOT NULL,
    -- cumulative inserts + updates + deletes (pg_stat_user_tables) at `at`
    rows_written  bigint NOT NULL,
    PRIMARY KEY (tenant_id, at)
);
CREATE INDEX tenant_usage_samples_at_idx ON atrium_control.tenant_usage_samples (at);

-- Moves between isolation tiers (docs/isolation-tiers.md, "Moves"). One row per move;
-- a tenant has at most one move that is not over.
CREATE TABLE atrium_control.tenant_moves (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES atrium_control.tenants (id),
    from_tier        text NOT NULL CHECK (from_tier IN ('schema', 'pooled')),
    to_tier          text NOT NULL CHECK (to_tier IN ('schema', 'pooled')),
    -- The schemas that hold the rows before and after: the tenant's own, or a pool.
    from_schema      text NOT NULL,
    to_schema        text NOT NULL,
    -- copying → flipped (the tenant lives in to_schema; from_schema's rows wait out the
    -- grace period) → done; or failed, with the tenant where it was.
    state            text NOT NULL CHECK (state IN ('copying', 'flipped', 'done', 'failed')),
    error            text,
    rows_copied      bigint,
    changes_applied  bigint,
    -- How long the tenant's transactions were held, and each table's checksum, equal on
    -- both sides when the placement flipped.
    freeze_ms        integer,
    checksums        jsonb,
    actor            text NOT NULL,
    started_at       timestamptz NOT NULL DEFAULT now(),
    flipped_at       timestamptz,
    cleanup_after    timestamptz,
    finished_at      timestamptz
);
CREATE UNIQUE INDEX tenant_moves_one_open ON atrium_control.tenant_moves (tenant_id)
    WHERE state IN ('copying', 'flipped');
CREATE INDEX tenant_moves_by_tenant ON atrium_control.tenant_moves (tenant_id, started_at DESC);

-- The slow way into a tenant (atrium-core db/placement.rs): a tenant transaction whose
-- placement lock was not free. Either the placement changed (answer AT001 naming the new
-- one), or a move is draining the tenant: wait, boundedly, for its freeze to end, then
-- look again. Runs as the control role, which may read the registry; the data plane's
-- role may only call it.
CREATE FUNCTION atrium_control.await_placement(
    p_tenant text, p_schema text, p_freeze integer, p_place integer, p_wait_ms integer
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_schema text;
    v_role text;
    v_timeout text := current_setting('lock_timeout');
BEGIN
    FOR pass IN 1..2 LOOP
        SELECT coalesce(p.name, t.schema_name), coalesce(p.role_name, t.role_name)
          INTO v_schema, v_role
          FROM atrium_control.tenants t
          LEFT JOIN atrium_control.pools p ON p.name = t.pool_name
         WHERE t.id = nullif(p_tenant, '')::uuid;
        IF FOUND AND v_schema IS DISTINCT FROM p_schema THEN
            RAISE EXCEPTION 'tenant moved to %', v_schema
                USING ERRCODE = 'AT001', DETAIL = v_schema, HINT = v_role;
        END IF;
        PERFORM set_config('lock_timeout', p_wait_ms || 'ms', true);
        IF pass = 1 THEN
            -- Held by a move from draining the tenant until its flip (or give-up).
            PERFORM pg_advisory_xact_lock_shared(1096043846, p_freeze);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(1096043856, p_place);
        END IF;
        PERFORM set_config('lock_timeout', v_timeout, true);
    END LOOP;
END $fn$;
REVOKE ALL ON FUNCTION atrium_control.await_placement(text, text, integer, integer, integer) FROM PUBLIC;

-- A transaction held by a tenant's delete (pooled tier, lifecycle.rs) must not go on
-- once the tenant is gone: it would write rows under a deleted tenant's id. The slow way
-- in now also answers 42704 (undefined_object, a 404 like a dropped schema's) for a
-- tenant that is no longer live.
CREATE OR REPLACE FUNCTION atrium_control.await_placement(
    p_tenant text, p_schema text, p_freeze integer, p_place integer, p_wait_ms integer
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_schema text;
    v_role text;
    v_state text;
    v_timeout text := current_setting('lock_timeout');
BEGIN
    FOR pass IN 1..2 LOOP
        SELECT coalesce(p.name, t.schema_name), coalesce(p.role_name, t.role_name), t.state
          INTO v_schema, v_role, v_state
          FROM atrium_control.tenants t
          LEFT JOIN atrium_control.pools p ON p.name = t.pool_name
         WHERE t.id = nullif(p_tenant, '')::uuid;
        IF FOUND AND v_state NOT IN ('active', 'suspended') THEN
            RAISE EXCEPTION 'tenant is %', v_state USING ERRCODE = '42704';
        END IF;
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

-- Scale-out (docs/scale-out.md): the PostgreSQL clusters tenants are placed on.
--
-- The home cluster, `local`, is the one the configuration names: it holds this
-- registry, and may hold tenants too. Every other cluster's database carries the same
-- control schema, so that its tenants' slow way in (await_placement) answers there; its
-- registry tables hold copies of the rows of the tenants placed on it, written by the
-- control plane with each change of their placement or state. Only home's is the truth.
CREATE TABLE atrium_control.clusters (
    name             text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,31}$'),
    -- References to the connection URLs (`env:NAME` or `file:/absolute/path`), never
    -- the URLs: each process resolves them in its own environment, so the registry
    -- holds no password. NULL for the home cluster, whose URLs are configured.
    control_url_ref  text,
    api_url_ref      text,
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'draining', 'closed')),
    -- Placement's capacity hints: a cluster at either takes no new tenant. NULL: none.
    max_tenants      integer CHECK (max_tenants > 0),
    max_bytes        bigint CHECK (max_bytes > 0),
    -- A dedicated cluster holds one tenant, named at its creation: the dedicated-database
    -- tier. Placement never chooses it for anyone else.
    dedicated        boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clusters_refs CHECK ((control_url_ref IS NULL) = (api_url_ref IS NULL))
);
INSERT INTO atrium_control.clusters (name) VALUES ('local');

-- Which cluster this database is: `local` on home, set by `atrium cluster add` on the
-- others (which refuses a database that already is a cluster).
CREATE TABLE atrium_control.this_cluster (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    name      text NOT NULL
);

ALTER TABLE atrium_control.tenants
    ADD CONSTRAINT tenants_cluster_fk FOREIGN KEY (cluster_id) REFERENCES atrium_control.clusters (name);
CREATE INDEX tenants_cluster_idx ON atrium_control.tenants (cluster_id) WHERE state <> 'deleted';

-- A pool lives on one cluster; pool names stay unique over all of them.
ALTER TABLE atrium_control.pools
    ADD COLUMN cluster_id text NOT NULL DEFAULT 'local' REFERENCES atrium_control.clusters (name);

-- The slow way in answers one thing more: the tenant lives on another cluster now
-- (AT002, the cluster's name as DETAIL). The data plane then looks the tenant up again
-- and opens its transaction there.
CREATE OR REPLACE FUNCTION atrium_control.await_placement(
    p_tenant text, p_schema text, p_freeze integer, p_place integer, p_wait_ms integer
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_schema text;
    v_role text;
    v_state text;
    v_cluster text;
    v_here text := (SELECT name FROM atrium_control.this_cluster);
    v_timeout text := current_setting('lock_timeout');
BEGIN
    FOR pass IN 1..2 LOOP
        SELECT coalesce(p.name, t.schema_name), coalesce(p.role_name, t.role_name), t.state,
               t.cluster_id
          INTO v_schema, v_role, v_state, v_cluster
          FROM atrium_control.tenants t
          LEFT JOIN atrium_control.pools p ON p.name = t.pool_name
         WHERE t.id = nullif(p_tenant, '')::uuid;
        IF FOUND AND v_state NOT IN ('active', 'suspended') THEN
            RAISE EXCEPTION 'tenant is %', v_state USING ERRCODE = '42704';
        END IF;
        IF FOUND AND v_here IS NOT NULL AND v_cluster IS DISTINCT FROM v_here THEN
            RAISE EXCEPTION 'tenant lives on cluster %', v_cluster
                USING ERRCODE = 'AT002', DETAIL = v_cluster;
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

-- Isolation tiers (docs/isolation-tiers.md). A tenant lives either in a schema of its
-- own (tier `schema`) or in a shared pool schema, its rows marked by `tenant_id` and
-- kept apart by row-level security (tier `pooled`).
--
-- schema_name and role_name stay the slug's own names for every tenant: a pooled tenant
-- keeps them reserved, so a move to the schema tier never finds them taken.

-- Pool schemas: `pool_01`, `pool_02`, ... with their NOLOGIN role. A pool migrates as a
-- whole: one run of each pending migration, whatever the number of its tenants.
CREATE TABLE atrium_control.pools (
    name                 text PRIMARY KEY CHECK (name ~ '^pool_[0-9]{2}$'),
    role_name            text NOT NULL UNIQUE,
    migration_version    integer NOT NULL DEFAULT 0,
    migration_error      text,
    migration_failed_at  timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE atrium_control.tenants
    ADD COLUMN tier       text NOT NULL DEFAULT 'schema' CHECK (tier IN ('schema', 'pooled')),
    ADD COLUMN pool_name  text REFERENCES atrium_control.pools (name),
    ADD CONSTRAINT tenants_placement CHECK ((tier = 'pooled') = (pool_name IS NOT NULL));
CREATE INDEX tenants_pool_idx ON atrium_control.tenants (pool_name) WHERE pool_name IS NOT NULL;

-- Only schema-tier tenants migrate one by one; `atrium migrate` finds them by this index.
DROP INDEX atrium_control.tenants_pending_migration_idx;
CREATE INDEX tenants_pending_migration_idx ON atrium_control.tenants (migration_version)
    WHERE state IN ('active', 'suspended') AND tier = 'schema';

-- The pool set's checksums, as tenant_migrations holds the schema set's.
CREATE TABLE atrium_control.pool_migrations (
    version           integer PRIMARY KEY,
    name              text NOT NULL,
    checksum          text NOT NULL,
    first_applied_at  timestamptz NOT NULL DEFAULT now()
);

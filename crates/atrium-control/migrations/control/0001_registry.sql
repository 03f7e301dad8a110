-- The tenant registry, API keys, operators and the audit log.
-- Owned by the control role; the data plane only gets SELECT on what it needs
-- (granted by the control plane, which knows the api role's name).

CREATE TABLE atrium_control.tenants (
    id                    uuid PRIMARY KEY,
    slug                  text NOT NULL UNIQUE,
    display_name          text NOT NULL,
    plan                  text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
    state                 text NOT NULL CHECK (state IN ('provisioning', 'active', 'suspended', 'deleting', 'deleted')),
    schema_name           text NOT NULL UNIQUE,
    role_name             text NOT NULL UNIQUE,
    cluster_id            text NOT NULL DEFAULT 'local',
    statement_timeout_ms  integer NOT NULL DEFAULT 5000 CHECK (statement_timeout_ms BETWEEN 100 AND 600000),
    migration_version     integer NOT NULL DEFAULT 0,
    migration_error       text,
    migration_failed_at   timestamptz,
    export_path           text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    suspended_at          timestamptz,
    deleted_at            timestamptz
);

-- `atrium migrate` asks "who is behind?"; this keeps that one index scan at 10,000 tenants.
CREATE INDEX tenants_pending_migration_idx ON atrium_control.tenants (migration_version)
    WHERE state IN ('active', 'suspended');

CREATE TABLE atrium_control.api_keys (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES atrium_control.tenants (id),
    name          text NOT NULL,
    -- First characters of the key, shown to operators to tell keys apart.
    prefix        text NOT NULL,
    -- SHA-256 of the whole key: keys carry 256 random bits, so a slow hash adds nothing.
    key_hash      bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX api_keys_tenant_idx ON atrium_control.api_keys (tenant_id);

CREATE TABLE atrium_control.operators (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE atrium_control.audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    action       text NOT NULL,
    tenant_slug  text,
    outcome      text NOT NULL CHECK (outcome IN ('ok', 'error')),
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_idx ON atrium_control.audit_log (tenant_slug, id);

-- Append-only, even for the table's owner.
CREATE FUNCTION atrium_control.audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON atrium_control.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION atrium_control.audit_log_is_append_only();

-- Checksums of tenant migrations as first applied: an edited file is refused.
CREATE TABLE atrium_control.tenant_migrations (
    version           integer PRIMARY KEY,
    name              text NOT NULL,
    checksum          text NOT NULL,
    first_applied_at  timestamptz NOT NULL DEFAULT now()
);

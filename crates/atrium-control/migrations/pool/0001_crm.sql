-- The pooled tier's CRM: the tables of tenant/0001_crm.sql, shared by every tenant of
-- the pool. Each row starts with `tenant_id`, in every primary key, index and foreign key.
-- Runs with search_path set to the pool schema; names are unqualified on purpose.
--
-- `tenant_id` comes from the transaction's `atrium.tenant_id` setting, which the data
-- plane sets with the role and the search path: no statement names it, so none can forget
-- it or name another tenant's. Row-level security (guard_tables below) shows and accepts
-- only rows whose `tenant_id` is the setting's. Unset, the setting is NULL and matches
-- no row: a transaction that skipped it sees nothing and can write nothing.

CREATE FUNCTION current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('atrium.tenant_id', true), '')::uuid $$;

-- Enables and forces row-level security, with the one policy, on every table of the
-- pool that lacks it. Each pool migration that adds a table ends by calling it; a test
-- lists every table of a pool schema and fails on one without the policy.
CREATE FUNCTION guard_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t record;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
          AND NOT EXISTS (SELECT 1 FROM pg_policy p
                          WHERE p.polrelid = c.oid AND p.polname = 'tenant_rows')
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY',
                       t.relname);
        EXECUTE format('CREATE POLICY tenant_rows ON %I
                            USING (tenant_id = current_tenant())
                            WITH CHECK (tenant_id = current_tenant())', t.relname);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION guard_tables() FROM PUBLIC;

CREATE TABLE customers (
    tenant_id   uuid NOT NULL DEFAULT current_tenant(),
    id          uuid NOT NULL,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    domain      text CHECK (char_length(domain) <= 253),
    industry    text CHECK (char_length(industry) <= 100),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_name_idx ON customers (tenant_id, lower(name));

CREATE TABLE contacts (
    tenant_id    uuid NOT NULL DEFAULT current_tenant(),
    id           uuid NOT NULL,
    customer_id  uuid NOT NULL,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    email        text CHECK (char_length(email) <= 254),
    phone        text CHECK (char_length(phone) <= 40),
    title        text CHECK (char_length(title) <= 100),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_customer_idx ON contacts (tenant_id, customer_id, id);

CREATE TABLE deals (
    tenant_id     uuid NOT NULL DEFAULT current_tenant(),
    id            uuid NOT NULL,
    customer_id   uuid NOT NULL,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    stage         text NOT NULL DEFAULT 'lead'
                  CHECK (stage IN ('lead', 'qualified', 'proposal', 'won', 'lost')),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deals_customer_idx ON deals (tenant_id, customer_id, id);
CREATE INDEX deals_stage_idx ON deals (tenant_id, stage, id);

CREATE TABLE deal_stage_history (
    tenant_id   uuid NOT NULL DEFAULT current_tenant(),
    id          bigserial,
    deal_id     uuid NOT NULL,
    from_stage  text,
    to_stage    text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deal_stage_history_deal_idx ON deal_stage_history (tenant_id, deal_id, id);

CREATE TABLE orders (
    tenant_id     uuid NOT NULL DEFAULT current_tenant(),
    id            uuid NOT NULL,
    customer_id   uuid,
    item          text NOT NULL CHECK (char_length(item) BETWEEN 1 AND 200),
    quantity      integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000000),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- Only customer_id goes NULL: tenant_id is part of the key and never does.
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
        ON DELETE SET NULL (customer_id)
);
CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id, id);

SELECT guard_tables();

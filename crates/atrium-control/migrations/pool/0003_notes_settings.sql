-- The pooled tier's tenant/0003_notes_settings.sql. A pooled tenant's settings row is
-- written when it is provisioned (the schema tier's comes from its migration).

CREATE TABLE notes (
    tenant_id    uuid NOT NULL DEFAULT current_tenant(),
    id           uuid NOT NULL,
    customer_id  uuid,
    deal_id      uuid,
    body         text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    author_kind  text NOT NULL CHECK (author_kind IN ('user', 'key', 'dev')),
    author_id    uuid,
    author_name  text NOT NULL CHECK (char_length(author_name) <= 200),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
    CHECK (num_nonnulls(customer_id, deal_id) = 1)
);
CREATE INDEX notes_customer_idx ON notes (tenant_id, customer_id, created_at);
CREATE INDEX notes_deal_idx ON notes (tenant_id, deal_id, created_at);

-- One row per tenant. The key keeps the schema tier's name (`settings_pkey`), so
-- `ON CONFLICT ON CONSTRAINT settings_pkey` works in both.
CREATE TABLE settings (
    tenant_id   uuid NOT NULL DEFAULT current_tenant(),
    singleton   boolean NOT NULL DEFAULT true CHECK (singleton),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    timezone    text NOT NULL CHECK (char_length(timezone) BETWEEN 1 AND 64),
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT settings_pkey PRIMARY KEY (tenant_id, singleton)
);

CREATE INDEX customers_created_idx ON customers (tenant_id, created_at, id);
CREATE INDEX contacts_created_idx ON contacts (tenant_id, created_at, id);
CREATE INDEX deals_created_idx ON deals (tenant_id, created_at, id);
CREATE INDEX orders_created_idx ON orders (tenant_id, created_at, id);

SELECT guard_tables();

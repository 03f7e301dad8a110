-- Notes on customers and deals, the tenant's own settings, and the indexes lists sort by.
--
-- A note belongs to exactly one customer or one deal and goes with it. Its author is
-- kept as written: a user's id and display name, or an API key's id and name, so the
-- note still says who wrote it after the user or key is gone.
CREATE TABLE notes (
    id           uuid PRIMARY KEY,
    customer_id  uuid REFERENCES customers (id) ON DELETE CASCADE,
    deal_id      uuid REFERENCES deals (id) ON DELETE CASCADE,
    body         text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    author_kind  text NOT NULL CHECK (author_kind IN ('user', 'key', 'dev')),
    author_id    uuid,
    author_name  text NOT NULL CHECK (char_length(author_name) <= 200),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(customer_id, deal_id) = 1)
);
CREATE INDEX notes_customer_idx ON notes (customer_id, created_at);
CREATE INDEX notes_deal_idx ON notes (deal_id, created_at);

-- One row: what tenant admins set for the whole tenant. Provisioning and `atrium migrate`
-- pass the operator's defaults in as settings of the transaction; without them, USD/UTC.
CREATE TABLE settings (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    timezone    text NOT NULL CHECK (char_length(timezone) BETWEEN 1 AND 64),
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (currency, timezone) VALUES (
    coalesce(nullif(current_setting('atrium.tenant_currency', true), ''), 'USD'),
    coalesce(nullif(current_setting('atrium.tenant_timezone', true), ''), 'UTC')
);

-- Lists are newest first by default; the customer timeline reads by customer and time.
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX contacts_created_idx ON contacts (created_at, id);
CREATE INDEX deals_created_idx ON deals (created_at, id);
CREATE INDEX orders_created_idx ON orders (created_at, id);

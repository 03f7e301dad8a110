-- The CRM: customers (companies), their contacts, deals with a stage history, orders.
-- Runs with search_path set to the tenant's schema; names are unqualified on purpose.
-- Ids are UUIDv7 made by the application, so ordering by id is ordering by creation,
-- which is what cursor pagination walks.

CREATE TABLE customers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    domain      text CHECK (char_length(domain) <= 253),
    industry    text CHECK (char_length(industry) <= 100),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_name_idx ON customers (lower(name));

CREATE TABLE contacts (
    id           uuid PRIMARY KEY,
    customer_id  uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    email        text CHECK (char_length(email) <= 254),
    phone        text CHECK (char_length(phone) <= 40),
    title        text CHECK (char_length(title) <= 100),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id, id);

CREATE TABLE deals (
    id            uuid PRIMARY KEY,
    customer_id   uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    stage         text NOT NULL DEFAULT 'lead'
                  CHECK (stage IN ('lead', 'qualified', 'proposal', 'won', 'lost')),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deals_customer_idx ON deals (customer_id, id);
CREATE INDEX deals_stage_idx ON deals (stage, id);

CREATE TABLE deal_stage_history (
    id          bigserial PRIMARY KEY,
    deal_id     uuid NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    from_stage  text,
    to_stage    text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deal_stage_history_deal_idx ON deal_stage_history (deal_id, id);

CREATE TABLE orders (
    id            uuid PRIMARY KEY,
    customer_id   uuid REFERENCES customers (id) ON DELETE SET NULL,
    item          text NOT NULL CHECK (char_length(item) BETWEEN 1 AND 200),
    quantity      integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000000),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    currency      text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id, id);

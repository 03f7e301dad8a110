-- The pooled tier's tenant/0002_users.sql. Unique per tenant: the constraint keeps the
-- schema tier's name, so `ON CONFLICT ON CONSTRAINT users_email_key` works in both.

CREATE TABLE users (
    tenant_id          uuid NOT NULL DEFAULT current_tenant(),
    id                 uuid NOT NULL,
    email              text NOT NULL CHECK (char_length(email) <= 254),
    display_name       text NOT NULL CHECK (char_length(display_name) <= 100),
    role               text NOT NULL CHECK (role IN ('admin', 'member')),
    password_hash      text,
    invite_hash        bytea,
    invite_expires_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    disabled_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_email_key UNIQUE (tenant_id, email),
    CONSTRAINT users_invite_hash_key UNIQUE (tenant_id, invite_hash)
);

CREATE TABLE sessions (
    tenant_id   uuid NOT NULL DEFAULT current_tenant(),
    token_hash  bytea NOT NULL,
    user_id     uuid NOT NULL,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expiry_idx ON sessions (tenant_id, expires_at);

SELECT guard_tables();

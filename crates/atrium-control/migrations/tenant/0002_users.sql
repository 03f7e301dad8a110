-- People who sign in to the tenant app. An invited user has an invite hash and no
-- password until they accept. Sessions keep only a SHA-256 of their token. Both tables
-- live in the tenant's schema, so the tenant role that reads the CRM reads these too,
-- and nothing else.
CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    email              text NOT NULL UNIQUE CHECK (char_length(email) <= 254),
    display_name       text NOT NULL CHECK (char_length(display_name) <= 100),
    role               text NOT NULL CHECK (role IN ('admin', 'member')),
    password_hash      text,
    invite_hash        bytea UNIQUE,
    invite_expires_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    disabled_at        timestamptz
);

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Operators sign in to the console with a password (Argon2id PHC string) and get a
-- session. Only a SHA-256 of the session token is stored. The admin token stays, for
-- automation.
ALTER TABLE atrium_control.operators
    ADD COLUMN password_hash text,
    ADD COLUMN disabled_at   timestamptz;

CREATE TABLE atrium_control.operator_sessions (
    token_hash    bytea PRIMARY KEY,
    operator_id   uuid NOT NULL REFERENCES atrium_control.operators (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX operator_sessions_operator_idx ON atrium_control.operator_sessions (operator_id);
CREATE INDEX operator_sessions_expiry_idx ON atrium_control.operator_sessions (expires_at);

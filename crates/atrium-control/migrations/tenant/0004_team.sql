-- Password resets an admin issues as a link (nothing is e-mailed): at most one live
-- token per user, since a new one overwrites the old; only its SHA-256 is kept, and it
-- is spent by the reset that uses it.
ALTER TABLE users
    ADD COLUMN reset_hash        bytea UNIQUE,
    ADD COLUMN reset_expires_at  timestamptz;

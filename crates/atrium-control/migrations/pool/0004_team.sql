-- The pooled tier's tenant/0004_team.sql.
ALTER TABLE users
    ADD COLUMN reset_hash        bytea,
    ADD COLUMN reset_expires_at  timestamptz,
    ADD CONSTRAINT users_reset_hash_key UNIQUE (tenant_id, reset_hash);

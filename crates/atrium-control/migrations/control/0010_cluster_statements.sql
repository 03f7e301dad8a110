-- Whether the data plane's connections to a cluster may keep prepared statements on the
-- server (docs/scale-out.md, "A connection pooler"). false when its api_url_ref goes
-- through a pooler in transaction mode (PgBouncer before 1.21), where the next
-- transaction may run on another server connection: each statement is then sent as the
-- unnamed statement. Home's own setting is configured (api.pool.prepared_statements).
ALTER TABLE atrium_control.clusters
    ADD COLUMN prepared_statements boolean NOT NULL DEFAULT true;

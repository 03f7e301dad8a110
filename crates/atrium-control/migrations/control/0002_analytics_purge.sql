-- When a deleted tenant's analytics were purged from ClickHouse. NULL on a deleted
-- tenant means the purge is still owed (ClickHouse was unreachable); `atrium migrate`
-- and the control plane retry it.
ALTER TABLE atrium_control.tenants ADD COLUMN analytics_purged_at timestamptz;

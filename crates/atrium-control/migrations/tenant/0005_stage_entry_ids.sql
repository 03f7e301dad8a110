-- An id of its own for each stage change, for the timeline's entry keys. The `id`
-- column counts from one sequence; in a pool that sequence is every tenant's, and a key
-- showing it would tell a tenant how many stage changes the pool's others made.
ALTER TABLE deal_stage_history
    ADD COLUMN IF NOT EXISTS entry_id uuid NOT NULL DEFAULT gen_random_uuid();

-- The pooled tier's tenant/0005_stage_entry_ids.sql (there it matters most: the
-- sequence behind `id` is shared by every tenant of the pool). A new column is filled
-- by the table's rewrite, which row-level security does not filter.
ALTER TABLE deal_stage_history
    ADD COLUMN IF NOT EXISTS entry_id uuid NOT NULL DEFAULT gen_random_uuid();

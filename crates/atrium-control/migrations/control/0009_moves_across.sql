-- Moves between clusters (docs/scale-out.md, "Moves between clusters"): the same record
-- as a move between tiers, with the clusters it leaves and reaches. A move between
-- tiers stays on one cluster: both columns the same.
ALTER TABLE atrium_control.tenant_moves
    ADD COLUMN from_cluster text NOT NULL DEFAULT 'local',
    ADD COLUMN to_cluster   text NOT NULL DEFAULT 'local',
    -- Where a move that is under way has got to, for the console's progress:
    -- preparing → copying → catching_up → frozen, then the state says the rest.
    ADD COLUMN phase        text NOT NULL DEFAULT 'preparing'
        CHECK (phase IN ('preparing', 'copying', 'catching_up', 'frozen', 'flipped', 'undone'));

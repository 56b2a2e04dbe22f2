-- Question: where each township's tile sits on the tile map (the townships table's optional grid columns).
-- Grain: one row per township.
-- Parameters: none. Only run when the townships table has grid_row and grid_col (dpf.figures.tile_grid.read_grid).
-- Output: code VARCHAR, grid_row INTEGER, grid_col INTEGER (null where the table leaves a township unplaced).
WITH placed AS (
    SELECT code, TRY_CAST(grid_row AS INTEGER) AS grid_row, TRY_CAST(grid_col AS INTEGER) AS grid_col FROM townships
)
SELECT * FROM placed ORDER BY code

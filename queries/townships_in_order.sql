-- Question: which townships exist, in the official order.
-- Grain: one row per township.
-- Parameters: none.
-- Output: code VARCHAR, name VARCHAR, kind VARCHAR (镇/乡/街道), sort_order INTEGER.
WITH ordered AS (
    SELECT code, name, kind, sort_order FROM townships
)
SELECT * FROM ordered ORDER BY sort_order, code

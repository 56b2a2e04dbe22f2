-- Question: how many rows each contract table holds and which years its dates cover.
-- Grain: one row per table (townships has no dates: years are NULL).
-- Parameters: none (the whole folder, not cut at the as-of date: this describes the files).
-- Output: tbl VARCHAR (table name), rows BIGINT, first_year INTEGER, last_year INTEGER.
WITH dated AS (
    SELECT 'townships' AS tbl, count(*) AS rows, NULL::INTEGER AS first_year, NULL::INTEGER AS last_year FROM townships
    UNION ALL
    SELECT 'persons', count(*), min(year(certified_on)), max(year(certified_on)) FROM persons
    UNION ALL
    SELECT 'payments', count(*), min(year(period)), max(year(period)) FROM payments
    UNION ALL
    SELECT 'services', count(*), min(year(served_on)), max(year(served_on)) FROM services
    UNION ALL
    SELECT 'rehab_needs', count(*), min(year(recorded_on)), max(year(recorded_on)) FROM rehab_needs
    UNION ALL
    SELECT 'satisfaction', count(*), min(year(surveyed_on)), max(year(surveyed_on)) FROM satisfaction
    UNION ALL
    SELECT 'targets', count(*), min(year), max(year) FROM targets
)
SELECT tbl, rows, first_year, last_year FROM dated

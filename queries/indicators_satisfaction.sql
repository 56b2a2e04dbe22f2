-- Question: what share of surveyed persons were satisfied with the precise rehabilitation service.
-- Grain: one row (indicator rehab_satisfaction_rate) from `satisfaction` (by `surveyed_on`, cut at as-of).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE (%), previous DOUBLE (%); NULL where nobody was surveyed.
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
scoped AS (
    SELECT s.span, f.satisfied
    FROM satisfaction AS f
    JOIN spans AS s ON f.surveyed_on BETWEEN s.starts AND s.ends
    WHERE in_scope(f.township_code, $townships)
)
SELECT
    'rehab_satisfaction_rate' AS indicator,
    100.0 * count(*) FILTER (WHERE span = 'value' AND satisfied)
        / nullif(count(*) FILTER (WHERE span = 'value'), 0) AS value,
    100.0 * count(*) FILTER (WHERE span = 'previous' AND satisfied)
        / nullif(count(*) FILTER (WHERE span = 'previous'), 0) AS previous
FROM scoped

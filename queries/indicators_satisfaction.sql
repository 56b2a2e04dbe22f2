-- Question: what share of surveyed persons were satisfied with the precise rehabilitation service.
-- Grain: one row per cut date (indicator rehab_satisfaction_rate) from `satisfaction` (by `surveyed_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $cuts DATE[] (as-of dates).
-- Output: cut DATE, indicator VARCHAR, value DOUBLE (%), previous DOUBLE (%); NULL where nobody was surveyed.
WITH spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
daily AS (
    SELECT f.surveyed_on, count(*) AS surveyed, count(*) FILTER (WHERE f.satisfied) AS satisfied
    FROM satisfaction AS f
    WHERE f.surveyed_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(f.township_code, $townships)
    GROUP BY f.surveyed_on
),
per_span AS (
    SELECT s.cut, s.span, 100.0 * sum(d.satisfied) / nullif(sum(d.surveyed), 0) AS rate
    FROM spans AS s
    LEFT JOIN daily AS d ON d.surveyed_on BETWEEN s.starts AND s.ends
    GROUP BY s.cut, s.span
)
SELECT
    cut,
    'rehab_satisfaction_rate' AS indicator,
    max(rate) FILTER (WHERE span = 'value') AS value,
    max(rate) FILTER (WHERE span = 'previous') AS previous
FROM per_span
GROUP BY cut
ORDER BY cut

-- Question: what share of surveyed persons were satisfied with the precise rehabilitation service.
-- Grain: cut date × township group (indicator rehab_satisfaction_rate), from `satisfaction` (by `surveyed_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $by_township BOOLEAN.
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (%), previous DOUBLE (%, a year earlier); NULL where nobody was surveyed.
WITH spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
daily AS (
    SELECT
        f.surveyed_on,
        grain_of(f.township_code, $by_township) AS township,
        count(*) AS surveyed,
        count(*) FILTER (WHERE f.satisfied) AS satisfied
    FROM satisfaction AS f
    WHERE f.surveyed_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(f.township_code, $townships)
    GROUP BY ALL
),
per_span AS (
    SELECT s.cut, g.township, s.span, 100.0 * sum(d.satisfied) / nullif(sum(d.surveyed), 0) AS rate
    FROM spans AS s
    CROSS JOIN grains AS g
    LEFT JOIN daily AS d ON d.township IS NOT DISTINCT FROM g.township AND d.surveyed_on BETWEEN s.starts AND s.ends
    GROUP BY s.cut, g.township, s.span
)
SELECT
    cut,
    township,
    'rehab_satisfaction_rate' AS indicator,
    max(rate) FILTER (WHERE span = 'value') AS value,
    max(rate) FILTER (WHERE span = 'previous') AS previous
FROM per_span
GROUP BY cut, township
ORDER BY cut, township

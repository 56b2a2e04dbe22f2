-- Question: what share of surveyed persons were satisfied with the precise rehabilitation service.
-- Grain: cut date × township group × indicator (measure satisfied_rate), from `satisfaction` (by `surveyed_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $month INTEGER (NULL = 年初至今), $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's satisfaction indicators, dpf.contract.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (%), previous DOUBLE (%, a year earlier); NULL where nobody was surveyed.
WITH definitions AS (
    SELECT indicator, measure FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts, $month)
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
    p.cut,
    p.township,
    d.indicator,
    max(p.rate) FILTER (WHERE p.span = 'value') AS value,
    max(p.rate) FILTER (WHERE p.span = 'previous') AS previous
FROM per_span AS p
JOIN definitions AS d ON d.measure = 'satisfied_rate'
GROUP BY p.cut, p.township, d.indicator
ORDER BY p.cut, p.township, d.indicator

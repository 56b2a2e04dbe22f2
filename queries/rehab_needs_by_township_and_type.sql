-- Question: how many needs of each type were recorded and met in each chosen township.
-- Grain: one row per township and need type with needs recorded in the year's span (cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = every township), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code, name, need VARCHAR; sort_order INTEGER; recorded BIGINT (条); met BIGINT (条, met_on <= $as_of); met_rate DOUBLE (%).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
scoped AS (
    SELECT n.township_code AS code, n.need, coalesce(n.met_on <= $as_of, false) AS is_met
    FROM rehab_needs AS n, span AS s
    WHERE n.recorded_on BETWEEN s.starts AND s.ends AND in_scope(n.township_code, $townships)
)
SELECT
    t.code,
    t.name,
    t.sort_order,
    sc.need,
    count(*) AS recorded,
    count(*) FILTER (WHERE sc.is_met) AS met,
    100.0 * count(*) FILTER (WHERE sc.is_met) / count(*) AS met_rate
FROM scoped AS sc
JOIN townships AS t ON t.code = sc.code
GROUP BY ALL
ORDER BY t.sort_order, sc.need

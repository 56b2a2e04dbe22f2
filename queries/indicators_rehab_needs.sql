-- Question: how many rehabilitation needs were recorded (all or of given kinds) and what share of them is met.
-- Grain: cut date × township group × indicator, from `rehab_needs` (by `recorded_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $month INTEGER (NULL = 年初至今), $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's rehab_needs indicators, dpf.contract.catalogue).
-- Output: cut, township (alone when $by_township, else NULL), indicator, value, previous DOUBLE: 条, or % met by the cut
--         (the as-of date: met_on <= cut; 'previous' by the same day a year earlier; NULL without needs).
WITH definitions AS (
    SELECT indicator, source AS need, measure FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts, $month)
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
grouped AS (
    -- needs with the same dates count together, so each cut reads a few rows per day
    SELECT n.recorded_on, n.met_on, grain_of(n.township_code, $by_township) AS township, n.need, count(*) AS needs
    FROM rehab_needs AS n
    WHERE n.recorded_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(n.township_code, $townships)
    GROUP BY ALL
),
-- needs and needs met per kind, so each indicator reads a few rows whatever the number of needs
per_need AS (
    SELECT
        sp.cut,
        sp.span,
        gr.township,
        g.need,
        sum(g.needs) AS needs,
        sum(g.needs) FILTER (WHERE g.met_on <= CASE sp.span WHEN 'value' THEN sp.cut ELSE (sp.cut - INTERVAL 1 YEAR)::DATE END)
            AS met
    FROM spans AS sp
    CROSS JOIN grains AS gr
    JOIN grouped AS g ON g.township IS NOT DISTINCT FROM gr.township AND g.recorded_on BETWEEN sp.starts AND sp.ends
    GROUP BY ALL
),
measured AS (
    SELECT
        sp.cut,
        gr.township,
        d.indicator,
        sp.span,
        CASE d.measure
            WHEN 'rows' THEN coalesce(sum(p.needs), 0)::DOUBLE
            WHEN 'met_rate' THEN 100.0 * coalesce(sum(p.met), 0) / nullif(sum(p.needs), 0)
        END AS measure_value
    FROM definitions AS d
    CROSS JOIN spans AS sp
    CROSS JOIN grains AS gr
    LEFT JOIN per_need AS p
        ON p.cut = sp.cut
        AND p.span = sp.span
        AND p.township IS NOT DISTINCT FROM gr.township
        AND (d.need = '*' OR p.need = d.need)
    GROUP BY sp.cut, gr.township, d.indicator, d.measure, sp.span
)
SELECT
    cut,
    township,
    indicator,
    max(measure_value) FILTER (WHERE span = 'value') AS value,
    max(measure_value) FILTER (WHERE span = 'previous') AS previous
FROM measured
GROUP BY cut, township, indicator
ORDER BY cut, township, indicator

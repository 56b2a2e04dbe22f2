-- Question: how many persons held a valid disability certificate at the end of the span (issued by then, not cancelled).
-- Grain: cut date × township group × indicator (measure certified), from `persons`, on the span's last day.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $month INTEGER (NULL = 年初至今), $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's persons indicators, dpf.contract.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (人), previous DOUBLE (人, a year earlier). Persons with the same certificate dates count together.
WITH definitions AS (
    SELECT indicator, measure FROM indicator_definitions($indicators, $sources, $measures)
),
ends AS (
    SELECT
        cut,
        max(ends) FILTER (WHERE span = 'value' AND ends >= starts) AS value_end,
        max(ends) FILTER (WHERE span = 'previous' AND ends >= starts) AS previous_end
    FROM cut_spans($year, $cuts, $month)
    GROUP BY cut
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
grouped AS (
    SELECT
        p.certified_on,
        p.cancelled_on,
        grain_of(p.township_code, $by_township) AS township,
        count(p.person_key) AS persons
    FROM persons AS p
    WHERE in_scope(p.township_code, $townships)
    GROUP BY ALL
)
SELECT
    e.cut,
    gr.township,
    d.indicator,
    coalesce(sum(g.persons) FILTER (WHERE certified_on_day(g.certified_on, g.cancelled_on, e.value_end)), 0)::DOUBLE
        AS value,
    coalesce(
        sum(g.persons) FILTER (WHERE certified_on_day(g.certified_on, g.cancelled_on, e.previous_end)), 0
    )::DOUBLE AS previous
FROM ends AS e
CROSS JOIN grains AS gr
JOIN definitions AS d ON d.measure = 'certified'
LEFT JOIN grouped AS g ON g.township IS NOT DISTINCT FROM gr.township
GROUP BY e.cut, gr.township, d.indicator
ORDER BY e.cut, gr.township, d.indicator

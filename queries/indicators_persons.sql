-- Question: how many persons held a valid disability certificate at the end of the span.
-- Grain: cut date × township group (indicator certified_persons), from `persons`, certified on the span's last day.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $by_township BOOLEAN.
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (人), previous DOUBLE (人, a year earlier).
-- Persons with the same certificate dates count together; a certificate counts at a span's end when issued by then
-- and not cancelled by then.
WITH ends AS (
    SELECT
        cut,
        max(ends) FILTER (WHERE span = 'value' AND ends >= starts) AS value_end,
        max(ends) FILTER (WHERE span = 'previous' AND ends >= starts) AS previous_end
    FROM cut_spans($year, $cuts)
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
    'certified_persons' AS indicator,
    coalesce(sum(g.persons) FILTER (WHERE certified_on_day(g.certified_on, g.cancelled_on, e.value_end)), 0)::DOUBLE
        AS value,
    coalesce(
        sum(g.persons) FILTER (WHERE certified_on_day(g.certified_on, g.cancelled_on, e.previous_end)), 0
    )::DOUBLE AS previous
FROM ends AS e
CROSS JOIN grains AS gr
LEFT JOIN grouped AS g ON g.township IS NOT DISTINCT FROM gr.township
GROUP BY e.cut, gr.township
ORDER BY e.cut, gr.township

-- Question: the service indicators (trainees, classes, fairs, assessments, rehab, volunteering) for a year, townships.
-- Grain: cut date × township group × indicator, from `services` (by `served_on`; county-level events: no township)
--        and summary_service_firsts (distinct persons).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's service indicators, dpf.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (1 Jan to cut), previous DOUBLE (a year earlier), in the indicator's unit.
WITH definitions AS (
    SELECT indicator, source AS service, measure FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
scoped AS (
    SELECT v.served_on, grain_of(v.township_code, $by_township) AS township, v.service, v.batch, v.quantity
    FROM services AS v
    WHERE v.served_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(v.township_code, $townships)
),
-- Per day: rows and quantity; per batch: its first day of each year, so a distinct count over a span is a count of
-- the firsts that fall in it (one pass whatever the number of cuts). Persons: the same from summary_service_firsts.
events AS (
    SELECT served_on AS day, township, service, count(*) AS service_rows, sum(quantity) AS quantity, 0 AS batches
    FROM scoped
    GROUP BY ALL
    UNION ALL
    SELECT min(served_on), township, service, 0, NULL, 1
    FROM scoped
    WHERE batch IS NOT NULL
    GROUP BY year(served_on), township, service, batch
),
counted AS (
    SELECT
        s.cut,
        s.span,
        e.township,
        e.service,
        sum(e.service_rows) AS service_rows,
        sum(e.quantity) AS quantity,
        sum(e.batches) AS batches
    FROM events AS e
    JOIN spans AS s ON e.day BETWEEN s.starts AND s.ends
    GROUP BY ALL
),
persons AS (
    SELECT
        s.cut,
        s.span,
        grain_of(f.township_code, $by_township) AS township,
        f.service,
        count(DISTINCT f.person_id) AS persons
    FROM summary_service_firsts AS f
    JOIN spans AS s ON f.first_day BETWEEN s.starts AND s.ends
    WHERE
        f.year IN ($year, $year - 1)
        AND in_scope(f.township_code, $townships)
        AND f.service IN (SELECT service FROM definitions WHERE measure = 'persons')
    GROUP BY ALL
),
-- Every first falls on a day with a service row, so each persons row has its counted row.
by_service AS (
    SELECT c.cut, c.span, c.township, c.service, c.service_rows, c.quantity, p.persons, c.batches
    FROM counted AS c
    LEFT JOIN persons AS p
        ON p.cut = c.cut AND p.span = c.span AND p.township IS NOT DISTINCT FROM c.township AND p.service = c.service
),
measured AS (
    SELECT
        c.cut,
        g.township,
        d.indicator,
        b.span,
        CASE d.measure
            WHEN 'rows' THEN b.service_rows
            WHEN 'quantity' THEN b.quantity
            WHEN 'persons' THEN b.persons
            WHEN 'batches' THEN b.batches
        END::DOUBLE AS measure_value
    FROM definitions AS d
    CROSS JOIN (SELECT DISTINCT cut FROM spans) AS c
    CROSS JOIN grains AS g
    LEFT JOIN by_service AS b ON b.cut = c.cut AND b.township IS NOT DISTINCT FROM g.township AND d.service = b.service
)
SELECT
    cut,
    township,
    indicator,
    coalesce(sum(measure_value) FILTER (WHERE span = 'value'), 0) AS value,
    coalesce(sum(measure_value) FILTER (WHERE span = 'previous'), 0) AS previous
FROM measured
GROUP BY cut, township, indicator
ORDER BY cut, township, indicator

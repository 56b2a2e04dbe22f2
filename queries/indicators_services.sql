-- Question: the service indicators (trainees, classes, fairs, assessments, rehab, volunteering) for a year, townships.
-- Grain: cut date × township group × indicator, from `services` (by `served_on`; county-level events: no township)
--        and summary_service_firsts (distinct persons).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $month INTEGER (NULL = 年初至今), $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's service indicators, dpf.contract.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (1 Jan to cut), previous DOUBLE (a year earlier), in the indicator's unit.
WITH definitions AS (
    SELECT * FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts, $month)
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
        e.service AS source,
        sum(e.service_rows)::DOUBLE AS "rows",
        sum(e.quantity)::DOUBLE AS quantity,
        sum(e.batches)::DOUBLE AS batches
    FROM events AS e
    JOIN spans AS s ON e.day BETWEEN s.starts AND s.ends
    GROUP BY ALL
),
persons AS (
    SELECT
        s.cut,
        s.span,
        grain_of(f.township_code, $by_township) AS township,
        f.service AS source,
        count(DISTINCT f.person_id)::DOUBLE AS persons
    FROM summary_service_firsts AS f
    JOIN spans AS s ON f.first_day BETWEEN s.starts AND s.ends
    WHERE
        f.year IN ($year, $year - 1)
        AND in_scope(f.township_code, $townships)
        AND f.service IN (SELECT source FROM definitions WHERE measure = 'persons')
    GROUP BY ALL
),
-- Each service's figures, one row per measure (the measures of the catalogue's service indicators).
figures AS (
    UNPIVOT counted ON "rows", quantity, batches INTO NAME measure VALUE figure
    UNION ALL
    UNPIVOT persons ON persons INTO NAME measure VALUE figure
)
SELECT *
FROM indicator_sums('definitions', 'figures', $cuts, $by_township, $townships)
ORDER BY cut, township, indicator

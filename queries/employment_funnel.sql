-- Question: the year's employment funnel: persons registered, fairs held, persons reaching a job intention,
--           and registered persons who also reached an intention in the same span.
-- Grain: one row per step (services by `served_on`, persons via summary_service_firsts, cut at the as-of date;
--        county-level fairs, township NULL, count only for the whole county), with the same span a year earlier.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: step VARCHAR (registered 人, fairs 场次, fair_enterprises 家次, intentions 人, registered_with_intention 人),
--         value BIGINT, previous BIGINT.
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
fairs AS (
    SELECT s.span, v.quantity
    FROM services AS v
    JOIN spans AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service = 'job_fair' AND in_scope(v.township_code, $townships)
),
-- Persons from summary_service_firsts: in a span when their first of that year in a chosen township falls in it.
reached AS (
    SELECT DISTINCT s.span, f.service, f.person_id
    FROM summary_service_firsts AS f
    JOIN spans AS s ON f.first_day BETWEEN s.starts AND s.ends
    WHERE
        f.year IN ($year, $year - 1)
        AND f.service IN ('job_registration', 'job_intention')
        AND in_scope(f.township_code, $townships)
),
registered AS (
    SELECT span, person_id FROM reached WHERE service = 'job_registration'
),
intended AS (
    SELECT span, person_id FROM reached WHERE service = 'job_intention'
),
steps AS (
    SELECT 1 AS step_order, 'registered' AS step, span, count(*) AS n FROM registered GROUP BY span
    UNION ALL
    SELECT 2, 'fairs', span, count(*) FROM fairs GROUP BY span
    UNION ALL
    SELECT 3, 'fair_enterprises', span, sum(quantity) FROM fairs GROUP BY span
    UNION ALL
    SELECT 4, 'intentions', span, count(*) FROM intended GROUP BY span
    UNION ALL
    SELECT 5, 'registered_with_intention', r.span, count(*)
    FROM registered AS r
    JOIN intended AS i USING (span, person_id)
    GROUP BY r.span
),
names (step_order, step) AS (
    VALUES (1, 'registered'), (2, 'fairs'), (3, 'fair_enterprises'), (4, 'intentions'), (5, 'registered_with_intention')
)
SELECT
    n.step,
    coalesce(sum(s.n) FILTER (WHERE s.span = 'value'), 0)::BIGINT AS value,
    coalesce(sum(s.n) FILTER (WHERE s.span = 'previous'), 0)::BIGINT AS previous
FROM names AS n
LEFT JOIN steps AS s USING (step_order, step)
GROUP BY n.step_order, n.step
ORDER BY n.step_order

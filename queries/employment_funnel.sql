-- Question: the year's employment funnel: persons registered, fairs held, persons reaching a job intention,
--           and registered persons who also reached an intention in the same span.
-- Grain: one row per step (services by `served_on`, cut at the as-of date; county-level fairs, township NULL,
--        count only for the whole county), with the same span a year earlier.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: step VARCHAR (registered 人, fairs 场次, fair_enterprises 家次, intentions 人, registered_with_intention 人),
--         value BIGINT, previous BIGINT.
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
scoped AS (
    SELECT s.span, v.service, v.person_key, v.quantity
    FROM services AS v
    JOIN spans AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service IN ('job_registration', 'job_fair', 'job_intention') AND in_scope(v.township_code, $townships)
),
registered AS (
    SELECT DISTINCT span, person_key FROM scoped WHERE service = 'job_registration'
),
intended AS (
    SELECT DISTINCT span, person_key FROM scoped WHERE service = 'job_intention'
),
steps AS (
    SELECT 1 AS step_order, 'registered' AS step, span, count(*) AS n FROM registered GROUP BY span
    UNION ALL
    SELECT 2, 'fairs', span, count(*) FROM scoped WHERE service = 'job_fair' GROUP BY span
    UNION ALL
    SELECT 3, 'fair_enterprises', span, sum(quantity) FROM scoped WHERE service = 'job_fair' GROUP BY span
    UNION ALL
    SELECT 4, 'intentions', span, count(*) FROM intended GROUP BY span
    UNION ALL
    SELECT 5, 'registered_with_intention', r.span, count(*)
    FROM registered AS r
    JOIN intended AS i USING (span, person_key)
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

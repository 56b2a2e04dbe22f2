-- Question: training and employment services per township this year (and trainees last year), for comparison.
-- Grain: one row per township (every township; `chosen` marks the chosen ones); services by `served_on`,
--        cut at the as-of date. County-level events (township_code NULL) belong to no township and are left out.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county; only sets `chosen`), $as_of DATE.
-- Output: code, name VARCHAR, sort_order INTEGER, chosen BOOLEAN, trainees / previous_trainees BIGINT (人次),
--         classes BIGINT (期), registered BIGINT (人), intentions BIGINT (人), registered_with_intention BIGINT (人).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
scoped AS (
    SELECT s.span, v.service, v.person_key, v.township_code AS code, v.batch
    FROM services AS v
    JOIN spans AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service IN ('vocational_training', 'job_registration', 'job_intention') AND v.township_code IS NOT NULL
),
registered AS (
    SELECT DISTINCT code, person_key FROM scoped WHERE span = 'value' AND service = 'job_registration'
),
intended AS (
    SELECT DISTINCT code, person_key FROM scoped WHERE span = 'value' AND service = 'job_intention'
),
counted AS (
    SELECT
        code,
        count(*) FILTER (WHERE span = 'value' AND service = 'vocational_training') AS trainees,
        count(*) FILTER (WHERE span = 'previous' AND service = 'vocational_training') AS previous_trainees,
        count(DISTINCT batch) FILTER (WHERE span = 'value' AND service = 'vocational_training') AS classes,
        count(DISTINCT person_key) FILTER (WHERE span = 'value' AND service = 'job_registration') AS registered,
        count(DISTINCT person_key) FILTER (WHERE span = 'value' AND service = 'job_intention') AS intentions
    FROM scoped
    GROUP BY code
),
both_steps AS (
    SELECT r.code, count(*) AS registered_with_intention
    FROM registered AS r
    JOIN intended AS i USING (code, person_key)
    GROUP BY r.code
)
SELECT
    t.code,
    t.name,
    t.sort_order,
    len($townships) > 0 AND in_scope(t.code, $townships) AS chosen,
    coalesce(c.trainees, 0) AS trainees,
    coalesce(c.previous_trainees, 0) AS previous_trainees,
    coalesce(c.classes, 0) AS classes,
    coalesce(c.registered, 0) AS registered,
    coalesce(c.intentions, 0) AS intentions,
    coalesce(b.registered_with_intention, 0) AS registered_with_intention
FROM townships AS t
LEFT JOIN counted AS c USING (code)
LEFT JOIN both_steps AS b USING (code)
ORDER BY t.sort_order, t.code

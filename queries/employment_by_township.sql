-- Question: training and employment services per township this year (and trainees last year), for comparison.
-- Grain: one row per township (every township; `chosen` marks the chosen ones); services by `served_on` (persons via
--        summary_service_firsts), cut at the as-of date. County-level events (no township) are left out.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county; only sets `chosen`), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code, name VARCHAR, sort_order INTEGER, chosen BOOLEAN, trainees / previous_trainees BIGINT (人次),
--         classes BIGINT (期), registered BIGINT (人), intentions BIGINT (人), registered_with_intention BIGINT (人).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
scoped AS (
    SELECT s.span, v.township_code AS code, v.batch
    FROM services AS v
    JOIN spans AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service = 'vocational_training' AND v.township_code IS NOT NULL
),
-- Persons from summary_service_firsts: in the span when their first of the year in the township falls in it.
reached AS (
    SELECT f.township_code AS code, f.service, f.person_id
    FROM summary_service_firsts AS f
    JOIN spans AS s ON s.span = 'value' AND f.first_day BETWEEN s.starts AND s.ends
    WHERE f.year = $year AND f.service IN ('job_registration', 'job_intention') AND f.township_code IS NOT NULL
),
counted AS (
    SELECT
        code,
        count(*) FILTER (WHERE span = 'value') AS trainees,
        count(*) FILTER (WHERE span = 'previous') AS previous_trainees,
        count(DISTINCT batch) FILTER (WHERE span = 'value') AS classes
    FROM scoped
    GROUP BY code
),
persons AS (
    SELECT
        code,
        count(DISTINCT person_id) FILTER (WHERE service = 'job_registration') AS registered,
        count(DISTINCT person_id) FILTER (WHERE service = 'job_intention') AS intentions
    FROM reached
    GROUP BY code
),
both_steps AS (
    SELECT r.code, count(*) AS registered_with_intention
    FROM reached AS r
    JOIN reached AS i ON i.code = r.code AND i.person_id = r.person_id AND i.service = 'job_intention'
    WHERE r.service = 'job_registration'
    GROUP BY r.code
)
SELECT
    t.*,
    coalesce(c.trainees, 0) AS trainees,
    coalesce(c.previous_trainees, 0) AS previous_trainees,
    coalesce(c.classes, 0) AS classes,
    coalesce(p.registered, 0) AS registered,
    coalesce(p.intentions, 0) AS intentions,
    coalesce(b.registered_with_intention, 0) AS registered_with_intention
FROM township_rows($townships) AS t
LEFT JOIN counted AS c USING (code)
LEFT JOIN persons AS p USING (code)
LEFT JOIN both_steps AS b USING (code)
ORDER BY t.sort_order, t.code

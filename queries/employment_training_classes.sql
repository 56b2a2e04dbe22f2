-- Question: who was trained in the year, by class (期次) and course (课程), and by course over all classes.
-- Grain: one row per batch and course (level 'class') plus one row per course (level 'course');
--        services of kind vocational_training by `served_on`, cut at the as-of date, in the chosen townships.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: level VARCHAR, batch VARCHAR (NULL on course rows; '' = no batch recorded), course VARCHAR ('' = none),
--         first_day / last_day DATE, trainees BIGINT (人次), persons BIGINT (人, distinct), townships BIGINT (个).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
trained AS (
    SELECT coalesce(v.batch, '') AS batch, coalesce(v.detail, '') AS course, v.served_on, v.person_key, v.township_code
    FROM services AS v
    JOIN span AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service = 'vocational_training' AND in_scope(v.township_code, $townships)
)
SELECT
    CASE WHEN grouping(batch) = 0 THEN 'class' ELSE 'course' END AS level,
    CASE WHEN grouping(batch) = 0 THEN batch END AS batch,
    course,
    min(served_on) AS first_day,
    max(served_on) AS last_day,
    count(*) AS trainees,
    count(DISTINCT person_key) AS persons,
    count(DISTINCT township_code) AS townships
FROM trained
GROUP BY GROUPING SETS ((batch, course), (course))
ORDER BY level, first_day, batch, trainees DESC, course

-- Question: trainees (人次) per month this year and in the same span last year, with the running total.
-- Grain: one row per year and month with training (vocational_training by `served_on`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: year INTEGER, month INTEGER (1-12), trainees BIGINT (人次), cumulative_trainees BIGINT (人次, year to date),
--         classes BIGINT (期, distinct batch held that month).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
trained AS (
    SELECT year(v.served_on)::INTEGER AS year, month(v.served_on)::INTEGER AS month, v.batch
    FROM services AS v
    JOIN spans AS s ON v.served_on BETWEEN s.starts AND s.ends
    WHERE v.service = 'vocational_training' AND in_scope(v.township_code, $townships)
),
monthly AS (
    SELECT year, month, count(*) AS trainees, count(DISTINCT batch) AS classes
    FROM trained
    GROUP BY year, month
)
SELECT
    year,
    month,
    trainees,
    sum(trainees) OVER (PARTITION BY year ORDER BY month)::BIGINT AS cumulative_trainees,
    classes
FROM monthly
ORDER BY year, month

-- Question: how much was paid each month, by programme group, this year and last year (same span).
-- Grain: one row per year, month and programme group with payments (by `period`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今),
--             $programs VARCHAR[] and $groups VARCHAR[] (parallel lists: programme code -> group label).
-- Output: year INTEGER, month INTEGER (1-12), program_group VARCHAR, amount_yuan DOUBLE (元).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
program_groups AS (
    SELECT unnest($programs) AS program, unnest($groups) AS program_group
),
scoped AS (
    SELECT p.period, p.program, p.amount_yuan
    FROM summary_payments_monthly AS p
    JOIN spans AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE in_scope(p.township_code, $townships)
)
SELECT
    year(s.period)::INTEGER AS year,
    month(s.period)::INTEGER AS month,
    coalesce(g.program_group, s.program) AS program_group,
    sum(s.amount_yuan)::DOUBLE AS amount_yuan
FROM scoped AS s
LEFT JOIN program_groups AS g USING (program)
GROUP BY ALL
ORDER BY year, month, program_group

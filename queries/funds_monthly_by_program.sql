-- Question: how much was paid each month by programme this year, and each month in total last year (same span).
-- Grain: one row per year, month and programme with payments, plus one row per year and month with
--        program = NULL holding the month's total over the programmes asked for (by `period`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今),
--             $program VARCHAR (one programme code, '' = all programmes).
-- Output: year INTEGER, month INTEGER (1-12), program VARCHAR (NULL = the month's total), amount_yuan DOUBLE (元).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
scoped AS (
    SELECT year(p.period)::INTEGER AS year, month(p.period)::INTEGER AS month, p.program, p.amount_yuan
    FROM summary_payments_monthly AS p
    JOIN spans AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE in_scope(p.township_code, $townships)
      AND ($program = '' OR p.program = $program)
)
SELECT year, month, program, sum(amount_yuan)::DOUBLE AS amount_yuan
FROM scoped
GROUP BY GROUPING SETS ((year, month, program), (year, month))
ORDER BY year, month, program NULLS LAST

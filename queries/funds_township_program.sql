-- Question: how much each chosen township was paid this year for each programme, with row and column totals.
-- Grain: one row per township and programme with payments; program = NULL rows are a township's total,
--        code = NULL rows a programme's total over the scope, both NULL the grand total (by `period`, cut at as-of).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code VARCHAR, name VARCHAR, sort_order INTEGER, program VARCHAR, amount_yuan DOUBLE (元).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
scoped AS (
    SELECT p.township_code AS code, p.program, p.amount_yuan
    FROM summary_payments_monthly AS p
    JOIN span AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE in_scope(p.township_code, $townships)
),
summed AS (
    SELECT code, program, sum(amount_yuan)::DOUBLE AS amount_yuan
    FROM scoped
    GROUP BY GROUPING SETS ((code, program), (code), (program), ())
)
SELECT summed.code, t.name, t.sort_order, summed.program, summed.amount_yuan
FROM summed
LEFT JOIN townships AS t ON t.code = summed.code
ORDER BY t.sort_order NULLS LAST, summed.code NULLS LAST, summed.program NULLS LAST

-- Question: which projects (阳光大棚, 助残基地, 辅助性就业机构 …) were supported this year, where, with how much.
-- Grain: one row per project_key and programme paid in the year (payments with a project_key, by `period`,
--        cut at the as-of date, in the chosen townships).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: project_key, program, township_code, township_name VARCHAR, sort_order INTEGER, payments BIGINT (笔),
--         amount_yuan DOUBLE (元), first_period / last_period DATE (months paid).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
paid AS (
    SELECT p.project_key, p.program, p.township_code, p.period, p.amount_yuan
    FROM payments AS p
    JOIN span AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE p.project_key IS NOT NULL AND in_scope(p.township_code, $townships)
)
SELECT
    paid.project_key,
    paid.program,
    paid.township_code,
    t.name AS township_name,
    t.sort_order,
    count(*) AS payments,
    sum(paid.amount_yuan)::DOUBLE AS amount_yuan,
    min(paid.period) AS first_period,
    max(paid.period) AS last_period
FROM paid
LEFT JOIN townships AS t ON t.code = paid.township_code
GROUP BY ALL
ORDER BY paid.program, t.sort_order NULLS LAST, paid.project_key

-- Question: who one programme reached this year: its beneficiaries by disability category and grade.
-- Grain: one row per category and grade among the programme's persons (NULL category/grade = not found in persons),
--        by `period`, cut at the as-of date.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $program VARCHAR.
-- Output: category SMALLINT (1-7), grade SMALLINT (1-4), persons BIGINT (distinct person_key, 人),
--         payment_rows BIGINT (人次), amount_yuan DOUBLE (元).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of) WHERE span = 'value'
),
paid AS (
    SELECT p.person_key, p.amount_yuan
    FROM payments AS p
    JOIN span AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE in_scope(p.township_code, $townships)
      AND p.program = $program
      AND p.person_key IS NOT NULL
)
SELECT
    ps.category,
    ps.grade,
    count(DISTINCT paid.person_key) AS persons,
    count(*) AS payment_rows,
    sum(paid.amount_yuan)::DOUBLE AS amount_yuan
FROM paid
LEFT JOIN persons AS ps USING (person_key)
GROUP BY ps.category, ps.grade
ORDER BY ps.category NULLS LAST, ps.grade NULLS LAST

-- Question: who one programme reached this year: its beneficiaries by disability category and grade.
-- Grain: one row per category and grade among the programme's persons (NULL category/grade = not found in persons),
--        by `period`, cut at the as-of date (from the summaries by grade and of first payments).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今), $program VARCHAR.
-- Output: category SMALLINT (1-7), grade SMALLINT (1-4), persons BIGINT (distinct person_key, 人),
--         payment_rows BIGINT (人次), amount_yuan DOUBLE (元).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
paid AS (
    SELECT g.category, g.grade, sum(g.payment_rows) AS payment_rows, sum(g.amount_yuan)::DOUBLE AS amount_yuan
    FROM summary_payments_by_grade AS g
    JOIN span AS s ON g.period BETWEEN s.starts AND s.ends
    WHERE in_scope(g.township_code, $townships) AND g.program = $program AND g.to_person
    GROUP BY ALL
),
reached AS (
    SELECT f.category, f.grade, count(DISTINCT f.person_id) AS persons
    FROM summary_payment_firsts AS f
    JOIN span AS s ON f.first_period BETWEEN s.starts AND s.ends
    WHERE f.year = $year AND in_scope(f.township_code, $townships) AND f.program = $program AND f.person_id IS NOT NULL
    GROUP BY ALL
)
SELECT
    paid.category,
    paid.grade,
    coalesce(reached.persons, 0) AS persons,
    paid.payment_rows::BIGINT AS payment_rows,
    paid.amount_yuan
FROM paid
LEFT JOIN reached ON reached.category IS NOT DISTINCT FROM paid.category AND reached.grade IS NOT DISTINCT FROM paid.grade
ORDER BY paid.category NULLS LAST, paid.grade NULLS LAST

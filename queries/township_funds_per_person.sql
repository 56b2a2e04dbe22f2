-- Question: how much each township was paid this year, and per certified person, ranked.
-- Grain: one row per township (all townships, so a chosen one can be compared with the rest).
-- Parameters: $year INTEGER, $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code VARCHAR, name VARCHAR, amount_yuan DOUBLE (元), certified_persons BIGINT (人, at the span's end),
--         yuan_per_person DOUBLE (元/人; NULL without certified persons), sort_order INTEGER.
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
paid AS (
    SELECT p.township_code AS code, sum(p.amount_yuan)::DOUBLE AS amount_yuan
    FROM summary_payments_monthly AS p
    JOIN span AS s ON p.period BETWEEN s.starts AND s.ends
    GROUP BY p.township_code
),
certified AS (
    SELECT * FROM certified_by_township((SELECT ends FROM span))
)
SELECT
    t.code,
    t.name,
    coalesce(paid.amount_yuan, 0) AS amount_yuan,
    coalesce(certified.certified_persons, 0) AS certified_persons,
    coalesce(paid.amount_yuan, 0) / nullif(certified.certified_persons, 0) AS yuan_per_person,
    t.sort_order
FROM townships AS t
LEFT JOIN paid USING (code)
LEFT JOIN certified USING (code)
ORDER BY yuan_per_person DESC NULLS LAST, t.sort_order

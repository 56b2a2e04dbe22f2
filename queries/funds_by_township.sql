-- Question: how much each township was paid this year (one programme or all), per certified person, and last year.
-- Grain: one row per township (every township, so the chosen ones can be compared with the rest).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county; only sets `chosen`), $as_of DATE, $month INTEGER (NULL = 年初至今),
--             $program VARCHAR (one programme code, '' = all programmes).
-- Output: code, name VARCHAR, sort_order INTEGER, chosen BOOLEAN, amount_yuan / previous_amount_yuan DOUBLE (元),
--         certified_persons BIGINT (人, certified at the span's end), yuan_per_person DOUBLE (元/人; NULL without any).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
value_span AS (
    SELECT starts, ends FROM spans WHERE span = 'value'
),
paid AS (
    SELECT
        p.township_code AS code,
        sum(p.amount_yuan) FILTER (WHERE s.span = 'value')::DOUBLE AS amount_yuan,
        sum(p.amount_yuan) FILTER (WHERE s.span = 'previous')::DOUBLE AS previous_amount_yuan
    FROM summary_payments_monthly AS p
    JOIN spans AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE $program = '' OR p.program = $program
    GROUP BY p.township_code
),
certified AS (
    SELECT * FROM certified_by_township((SELECT ends FROM value_span))
)
SELECT
    t.*,
    coalesce(paid.amount_yuan, 0) AS amount_yuan,
    coalesce(paid.previous_amount_yuan, 0) AS previous_amount_yuan,
    coalesce(certified.certified_persons, 0) AS certified_persons,
    coalesce(paid.amount_yuan, 0) / nullif(certified.certified_persons, 0) AS yuan_per_person
FROM township_rows($townships) AS t
LEFT JOIN paid USING (code)
LEFT JOIN certified USING (code)
ORDER BY amount_yuan DESC, t.sort_order

-- Question: start-up support (就业创业扶持) and supported projects per township this year.
-- Grain: one row per township (every township); payments by `period`, cut at the as-of date, read through the
--        summaries summary_payments_by_grade (amounts, to_person) and summary_payment_firsts (distinct payees).
-- Parameters: $year INTEGER, $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code VARCHAR, startup_persons BIGINT (人, distinct, programme entrepreneurship), startup_amount_yuan DOUBLE (元),
--         projects BIGINT (个, distinct project_key), project_amount_yuan DOUBLE (元).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
amounts AS (
    SELECT
        g.township_code AS code,
        sum(g.amount_yuan) FILTER (WHERE g.program = 'entrepreneurship') AS startup_amount_yuan,
        sum(g.amount_yuan) FILTER (WHERE NOT g.to_person) AS project_amount_yuan
    FROM summary_payments_by_grade AS g
    JOIN span AS s ON g.period BETWEEN s.starts AND s.ends
    GROUP BY code
),
-- A payee counts when its first payment of the year falls in the span.
payees AS (
    SELECT
        f.township_code AS code,
        count(DISTINCT f.person_id) FILTER (WHERE f.program = 'entrepreneurship') AS startup_persons,
        count(DISTINCT f.project_id) AS projects
    FROM summary_payment_firsts AS f
    JOIN span AS s ON f.first_period BETWEEN s.starts AND s.ends
    WHERE f.year = $year
    GROUP BY code
)
SELECT
    t.code,
    coalesce(p.startup_persons, 0) AS startup_persons,
    coalesce(a.startup_amount_yuan, 0) AS startup_amount_yuan,
    coalesce(p.projects, 0) AS projects,
    coalesce(a.project_amount_yuan, 0) AS project_amount_yuan
FROM townships AS t
LEFT JOIN amounts AS a USING (code)
LEFT JOIN payees AS p USING (code)
ORDER BY t.sort_order, t.code

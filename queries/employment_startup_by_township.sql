-- Question: start-up support (就业创业扶持) and supported projects per township this year.
-- Grain: one row per township (every township); payments by `period`, cut at the as-of date.
-- Parameters: $year INTEGER, $as_of DATE.
-- Output: code VARCHAR, startup_persons BIGINT (人, distinct, programme entrepreneurship), startup_amount_yuan DOUBLE (元),
--         projects BIGINT (个, distinct project_key), project_amount_yuan DOUBLE (元).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of) WHERE span = 'value'
),
paid AS (
    SELECT p.township_code AS code, p.program, p.person_key, p.project_key, p.amount_yuan
    FROM payments AS p
    JOIN span AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE p.program = 'entrepreneurship' OR p.project_key IS NOT NULL
),
counted AS (
    SELECT
        code,
        count(DISTINCT person_key) FILTER (WHERE program = 'entrepreneurship') AS startup_persons,
        sum(amount_yuan) FILTER (WHERE program = 'entrepreneurship')::DOUBLE AS startup_amount_yuan,
        count(DISTINCT project_key) AS projects,
        sum(amount_yuan) FILTER (WHERE project_key IS NOT NULL)::DOUBLE AS project_amount_yuan
    FROM paid
    GROUP BY code
)
SELECT
    t.code,
    coalesce(c.startup_persons, 0) AS startup_persons,
    coalesce(c.startup_amount_yuan, 0) AS startup_amount_yuan,
    coalesce(c.projects, 0) AS projects,
    coalesce(c.project_amount_yuan, 0) AS project_amount_yuan
FROM townships AS t
LEFT JOIN counted AS c USING (code)
ORDER BY t.sort_order, t.code

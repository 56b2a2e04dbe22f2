-- Question: for each township, monthly programme (两项补贴) and month of the year, how many payment rows
--           there are, and whether the township had rows for that programme in an earlier month (填报缺口).
-- Grain: one row per township × programme × month from January to the as-of month of $year.
-- Parameters: $year INTEGER, $as_of DATE, $programs VARCHAR[] (the monthly programme codes).
-- Output: code VARCHAR, name VARCHAR, sort_order INTEGER, program VARCHAR, month INTEGER (1–12),
--         rows BIGINT (payment rows, 人次), had_before BOOLEAN (rows in any earlier month, any year), gap BOOLEAN.
WITH months AS (
    SELECT m::INTEGER AS month, make_date($year, m::INTEGER, 1) AS period
    FROM range(1, 13) AS r(m)
    WHERE make_date($year, m::INTEGER, 1) <= $as_of
),
grid AS (
    SELECT t.code, t.name, t.sort_order, p.program, m.month, m.period
    FROM townships AS t
    CROSS JOIN (SELECT unnest($programs) AS program) AS p
    CROSS JOIN months AS m
),
counted AS (
    SELECT township_code, program, period, count(*) AS rows
    FROM payments
    WHERE list_contains($programs, program) AND period <= $as_of
    GROUP BY township_code, program, period
),
firsts AS (
    SELECT township_code, program, min(period) AS first_period
    FROM counted
    GROUP BY township_code, program
)
SELECT
    g.code,
    g.name,
    g.sort_order,
    g.program,
    g.month,
    coalesce(c.rows, 0) AS rows,
    coalesce(f.first_period < g.period, false) AS had_before,
    coalesce(c.rows, 0) = 0 AND coalesce(f.first_period < g.period, false) AS gap
FROM grid AS g
LEFT JOIN counted AS c ON c.township_code = g.code AND c.program = g.program AND c.period = g.period
LEFT JOIN firsts AS f ON f.township_code = g.code AND f.program = g.program
ORDER BY g.program, g.sort_order, g.code, g.month

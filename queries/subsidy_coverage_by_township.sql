-- Question: 应补尽补 — of the persons eligible for each monthly subsidy at a month's end, how many were paid that month?
-- Grain: one row per township × programme (nursing_subsidy, living_subsidy), every township, by the person's township;
--        eligibility as docs/data-contract.md says (certified on the cut day; grade in $grades; hardship true).
-- Parameters: $year INTEGER, $month INTEGER (1..12), $as_of DATE (the cut day is the month's last day, or $as_of when
--             that is earlier), $grades INTEGER[] (护理补贴's grades, the manifest's nursing_subsidy_grades; [] = invalid).
-- Output: code, name VARCHAR, sort_order INTEGER, program VARCHAR, cut DATE; eligible, paid, unpaid BIGINT (人; paid =
--         eligible persons with a payment of the month, counted once); coverage DOUBLE (%, paid ÷ eligible; NULL without
--         eligible). All four NULL (无法计算) for living_subsidy when no certified person's hardship is known, for
--         nursing_subsidy when $grades is empty.
WITH cut AS (
    SELECT
        make_date($year, $month, 1) AS starts,
        last_day(make_date($year, $month, 1)) AS ends,
        least(last_day(make_date($year, $month, 1)), $as_of::DATE) AS day
),
certified AS (
    SELECT p.person_key, p.township_code, p.grade, p.hardship
    FROM persons AS p, cut AS c
    WHERE certified_on_day(p.certified_on, p.cancelled_on, c.day)
),
computable AS (
    SELECT 'nursing_subsidy' AS program, len($grades) > 0 AS known
    UNION ALL
    SELECT 'living_subsidy', count(hardship) > 0 FROM certified
),
eligible AS (
    SELECT 'nursing_subsidy' AS program, person_key, township_code
    FROM certified
    WHERE list_contains($grades, grade::INTEGER)
    UNION ALL
    SELECT 'living_subsidy', person_key, township_code
    FROM certified
    WHERE hardship
),
-- a back payment (补发) is a second row of the month: each person counts once
paid AS (
    SELECT DISTINCT p.program, p.person_key
    FROM payments AS p, cut AS c
    WHERE p.program IN ('nursing_subsidy', 'living_subsidy') AND p.period BETWEEN c.starts AND c.ends
),
counted AS (
    SELECT e.township_code AS code, e.program, count(*) AS eligible, count(paid.person_key) AS paid
    FROM eligible AS e
    LEFT JOIN paid ON paid.program = e.program AND paid.person_key = e.person_key
    GROUP BY e.township_code, e.program
)
SELECT
    t.code,
    t.name,
    t.sort_order,
    k.program,
    (SELECT day FROM cut) AS cut,
    CASE WHEN k.known THEN coalesce(c.eligible, 0) END AS eligible,
    CASE WHEN k.known THEN coalesce(c.paid, 0) END AS paid,
    CASE WHEN k.known THEN coalesce(c.eligible, 0) - coalesce(c.paid, 0) END AS unpaid,
    CASE WHEN k.known THEN 100.0 * c.paid / nullif(c.eligible, 0) END AS coverage
FROM townships AS t
CROSS JOIN computable AS k
LEFT JOIN counted AS c ON c.code = t.code AND c.program = k.program
ORDER BY k.program = 'living_subsidy', t.sort_order, t.code

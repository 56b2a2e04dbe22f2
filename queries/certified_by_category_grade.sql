-- Question: how many certified persons of each disability category and grade the scope has.
-- Grain: one row per category and grade with certified persons on the span's last day.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: category SMALLINT (1-7), grade SMALLINT (1-4), persons BIGINT (人), share DOUBLE (% of the scope's certified),
--         category_persons / grade_persons BIGINT (人, the category's / grade's total), category_share / grade_share
--         DOUBLE (% of the scope's certified), total_persons BIGINT (人, the scope's certified).
WITH span AS (
    SELECT ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
certified AS (
    SELECT p.category, p.grade
    FROM persons AS p, span AS s
    WHERE certified_on_day(p.certified_on, p.cancelled_on, s.ends)
        AND in_scope(p.township_code, $townships)
),
counted AS (
    SELECT category, grade, count(*) AS persons FROM certified GROUP BY category, grade
)
SELECT
    category,
    grade,
    persons,
    100.0 * persons / sum(persons) OVER () AS share,
    sum(persons) OVER (PARTITION BY category) AS category_persons,
    100.0 * sum(persons) OVER (PARTITION BY category) / sum(persons) OVER () AS category_share,
    sum(persons) OVER (PARTITION BY grade) AS grade_persons,
    100.0 * sum(persons) OVER (PARTITION BY grade) / sum(persons) OVER () AS grade_share,
    sum(persons) OVER () AS total_persons
FROM counted
ORDER BY category, grade

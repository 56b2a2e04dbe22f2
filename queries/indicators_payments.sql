-- Question: the payment indicators (amounts, person-times, persons, projects) for a year and townships, at each cut.
-- Grain: one row per cut date and indicator computed from `payments` (by `period`), through the summaries
--        summary_payments_monthly (sums, rows) and summary_payment_firsts (distinct persons and projects).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $cuts DATE[] (as-of dates).
-- Output: cut DATE, indicator VARCHAR, value DOUBLE (1 January to the cut), previous DOUBLE (same span a year
--         earlier); units per indicator: 元 for *_amount, 人次 for *_person_times, 人/户/个 for distinct counts.
WITH definitions (indicator, program, measure) AS (
    VALUES
        ('subsidies_total_amount', '*', 'amount'),
        ('nursing_subsidy_person_times', 'nursing_subsidy', 'rows'),
        ('nursing_subsidy_amount', 'nursing_subsidy', 'amount'),
        ('living_subsidy_person_times', 'living_subsidy', 'rows'),
        ('living_subsidy_amount', 'living_subsidy', 'amount'),
        ('wheelchair_fuel_amount', 'wheelchair_fuel', 'amount'),
        ('entrepreneurship_persons', 'entrepreneurship', 'persons'),
        ('entrepreneurship_amount', 'entrepreneurship', 'amount'),
        ('sunshine_greenhouse_projects', 'sunshine_greenhouse', 'projects'),
        ('assistance_base_projects', 'assistance_base', 'projects'),
        ('auxiliary_employment_projects', 'auxiliary_employment', 'projects'),
        ('greenhouse_base_amount', 'sunshine_greenhouse', 'amount'),
        ('greenhouse_base_amount', 'assistance_base', 'amount'),
        ('student_aid_persons', 'student_aid', 'persons'),
        ('student_aid_amount', 'student_aid', 'amount'),
        ('cochlear_implant_amount', 'cochlear_implant', 'amount'),
        ('psychiatric_medication_persons', 'psychiatric_medication', 'persons'),
        ('psychiatric_medication_amount', 'psychiatric_medication', 'amount'),
        ('sunshine_home_persons', 'sunshine_home', 'persons'),
        ('sunshine_home_amount', 'sunshine_home', 'amount'),
        ('accessibility_households', 'accessibility_retrofit', 'persons'),
        ('accessibility_amount', 'accessibility_retrofit', 'amount')
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
-- Sums and row counts from the monthly summary; distinct persons and projects from each one's first payment of
-- the year (counted in a span when that first payment falls in it), only for the programmes that count them.
totals AS (
    SELECT s.cut, s.span, m.program, sum(m.payment_rows) AS payment_rows, sum(m.amount_yuan) AS amount
    FROM summary_payments_monthly AS m
    JOIN spans AS s ON m.period BETWEEN s.starts AND s.ends
    WHERE in_scope(m.township_code, $townships)
    GROUP BY ALL
),
distinct_counts AS (
    SELECT
        s.cut,
        s.span,
        f.program,
        count(DISTINCT f.person_id) AS persons,
        count(DISTINCT f.project_id) AS projects
    FROM summary_payment_firsts AS f
    JOIN spans AS s ON f.first_period BETWEEN s.starts AND s.ends
    WHERE
        f.year IN ($year, $year - 1)
        AND in_scope(f.township_code, $townships)
        AND f.program IN (SELECT program FROM definitions WHERE measure IN ('persons', 'projects'))
    GROUP BY ALL
),
by_program AS (
    SELECT t.cut, t.span, t.program, t.payment_rows, t.amount, d.persons, d.projects
    FROM totals AS t
    LEFT JOIN distinct_counts AS d USING (cut, span, program)
),
measured AS (
    SELECT
        c.cut,
        d.indicator,
        b.span,
        CASE d.measure
            WHEN 'rows' THEN b.payment_rows
            WHEN 'amount' THEN b.amount
            WHEN 'persons' THEN b.persons
            WHEN 'projects' THEN b.projects
        END::DOUBLE AS measure_value
    FROM definitions AS d
    CROSS JOIN (SELECT DISTINCT cut FROM spans) AS c
    LEFT JOIN by_program AS b ON b.cut = c.cut AND (d.program = '*' OR d.program = b.program)
)
SELECT
    cut,
    indicator,
    coalesce(sum(measure_value) FILTER (WHERE span = 'value'), 0) AS value,
    coalesce(sum(measure_value) FILTER (WHERE span = 'previous'), 0) AS previous
FROM measured
GROUP BY cut, indicator
ORDER BY cut, indicator

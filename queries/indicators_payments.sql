-- Question: the payment indicators (amounts, person-times, persons, projects) for a year and townships.
-- Grain: one row per indicator computed from `payments` (by `period`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE, previous DOUBLE (same span a year earlier);
--         units per indicator: 元 for *_amount, 人次 for *_person_times, 人/户/个 for distinct counts.
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
scoped AS (
    SELECT s.span, p.program, p.person_key, p.project_key, p.amount_yuan
    FROM payments AS p
    JOIN spans AS s ON p.period BETWEEN s.starts AND s.ends
    WHERE in_scope(p.township_code, $townships)
),
by_program AS (
    SELECT
        span,
        program,
        count(*) AS payment_rows,
        sum(amount_yuan) AS amount,
        count(DISTINCT person_key) AS persons,
        count(DISTINCT project_key) AS projects
    FROM scoped
    GROUP BY span, program
),
definitions (indicator, program, measure) AS (
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
measured AS (
    SELECT
        d.indicator,
        b.span,
        CASE d.measure
            WHEN 'rows' THEN b.payment_rows
            WHEN 'amount' THEN b.amount
            WHEN 'persons' THEN b.persons
            WHEN 'projects' THEN b.projects
        END::DOUBLE AS measure_value
    FROM definitions AS d
    LEFT JOIN by_program AS b ON d.program = '*' OR d.program = b.program
)
SELECT
    indicator,
    coalesce(sum(measure_value) FILTER (WHERE span = 'value'), 0) AS value,
    coalesce(sum(measure_value) FILTER (WHERE span = 'previous'), 0) AS previous
FROM measured
GROUP BY indicator
ORDER BY indicator

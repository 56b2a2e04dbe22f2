-- Question: the payment indicators (amounts, person-times, persons, projects) for a year and townships.
-- Grain: one row per indicator computed from `payments` (by `period`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE, previous DOUBLE (same span a year earlier);
--         units per indicator: 元 for *_amount, 人次 for *_person_times, 人/户/个 for distinct counts.
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
-- Two passes, each reading only its columns: sums and row counts over every payment; distinct persons
-- and projects only for the few small programmes whose indicators count them (the big subsidy rolls
-- are never hashed by person).
totals AS (
    SELECT span_of(p.period, $year, $as_of) AS span, p.program, count(*) AS payment_rows, sum(p.amount_yuan) AS amount
    FROM payments AS p
    WHERE in_report_spans(p.period, $year, $as_of) AND in_scope(p.township_code, $townships)
    GROUP BY ALL
),
distinct_counts AS (
    SELECT
        span_of(p.period, $year, $as_of) AS span,
        p.program,
        count(DISTINCT p.person_key) AS persons,
        count(DISTINCT p.project_key) AS projects
    FROM payments AS p
    WHERE
        in_report_spans(p.period, $year, $as_of)
        AND in_scope(p.township_code, $townships)
        AND p.program IN (SELECT program FROM definitions WHERE measure IN ('persons', 'projects'))
    GROUP BY ALL
),
by_program AS (
    SELECT t.span, t.program, t.payment_rows, t.amount, d.persons, d.projects
    FROM totals AS t
    LEFT JOIN distinct_counts AS d USING (span, program)
    WHERE t.span IS NOT NULL
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

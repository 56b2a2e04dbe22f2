-- Question: how much each programme, programme group and all programmes paid, to how many, this year and last year.
-- Grain: one row per programme, per programme group and one 'total' row with payments in either span
--        (by `period`, cut at the as-of date like the indicators).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今),
--             $programs, $groups, $units VARCHAR[] (parallel lists: programme code -> group label, counting unit).
-- Output: level VARCHAR ('program'|'group'|'total'), program_group VARCHAR, program VARCHAR (NULL above 'program'),
--         unit VARCHAR (人次 = rows, 人/户 = distinct person_key, 个 = distinct project_key; NULL when units are mixed),
--         amount_yuan / previous_amount_yuan DOUBLE (元), beneficiaries / previous_beneficiaries DOUBLE (in unit),
--         persons / previous_persons BIGINT (distinct person_key, 人), projects / previous_projects BIGINT (个),
--         yuan_per_head DOUBLE (元 per project for 个, else per distinct person; NULL when the unit is mixed).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of, $month)
),
catalogue AS (
    SELECT unnest($programs) AS program, unnest($groups) AS program_group, unnest($units) AS unit
),
group_units AS (
    -- a group's count is defined only when all its programmes count in the same unit
    SELECT program_group, CASE WHEN count(DISTINCT unit) = 1 THEN min(unit) END AS group_unit
    FROM catalogue
    GROUP BY program_group
),
labels AS (
    SELECT c.program, c.program_group, c.unit, g.group_unit
    FROM catalogue AS c
    JOIN group_units AS g USING (program_group)
),
-- Sums and payment rows from the monthly summary, distinct persons and projects from each one's first payment
-- of the year (dpf.data.summary): both small, whatever the number of payment rows.
sums AS (
    SELECT
        s.span,
        coalesce(l.program_group, m.program) AS program_group,
        m.program,
        coalesce(l.unit, '人次') AS unit,
        CASE WHEN l.program IS NULL THEN '人次' ELSE l.group_unit END AS group_unit,
        sum(m.amount_yuan) AS amount_yuan,
        sum(m.payment_rows) AS payment_rows
    FROM summary_payments_monthly AS m
    JOIN spans AS s ON m.period BETWEEN s.starts AND s.ends
    LEFT JOIN labels AS l USING (program)
    WHERE in_scope(m.township_code, $townships)
    GROUP BY ALL
),
firsts AS (
    SELECT s.span, coalesce(l.program_group, f.program) AS program_group, f.program, f.person_id, f.project_id
    FROM summary_payment_firsts AS f
    JOIN spans AS s ON f.first_period BETWEEN s.starts AND s.ends
    LEFT JOIN labels AS l USING (program)
    WHERE f.year IN ($year, $year - 1) AND in_scope(f.township_code, $townships)
),
distinct_counts AS (
    SELECT
        span,
        program_group,
        program,
        grouping(program_group, program) AS grouping_id,
        -- ids are dense integers: a bitmap per group counts distinct ids far faster than hashing millions of them
        coalesce(bit_count(bitstring_agg(person_id)), 0) AS persons,
        coalesce(bit_count(bitstring_agg(project_id)), 0) AS projects
    FROM firsts
    GROUP BY GROUPING SETS ((span, program_group, program), (span, program_group), (span))
),
summed AS (
    SELECT
        span,
        program_group,
        program,
        grouping(program_group, program) AS grouping_id,
        CASE
            WHEN grouping(program_group) = 1 THEN 'total'
            WHEN grouping(program) = 1 THEN 'group'
            ELSE 'program'
        END AS level,
        CASE level WHEN 'program' THEN min(unit) WHEN 'group' THEN min(group_unit) END AS unit,
        sum(amount_yuan)::DOUBLE AS amount_yuan,
        sum(payment_rows) AS payment_rows
    FROM sums
    GROUP BY GROUPING SETS ((span, program_group, program), (span, program_group), (span))
),
measured AS (
    SELECT
        s.span,
        s.level,
        s.program_group,
        s.program,
        s.unit,
        s.amount_yuan,
        CASE
            WHEN s.unit IS NULL THEN NULL
            WHEN s.unit = '人次' THEN s.payment_rows
            WHEN s.unit = '个' THEN coalesce(d.projects, 0)
            ELSE coalesce(d.persons, 0)
        END::DOUBLE AS beneficiaries,
        coalesce(d.persons, 0) AS persons,
        coalesce(d.projects, 0) AS projects
    FROM summed AS s
    LEFT JOIN distinct_counts AS d
        ON d.span = s.span
        AND d.grouping_id = s.grouping_id
        AND d.program_group IS NOT DISTINCT FROM s.program_group
        AND d.program IS NOT DISTINCT FROM s.program
),
per_span AS (
    SELECT
        level,
        program_group,
        program,
        max(unit) AS unit,
        coalesce(sum(amount_yuan) FILTER (WHERE span = 'value'), 0) AS amount_yuan,
        coalesce(sum(amount_yuan) FILTER (WHERE span = 'previous'), 0) AS previous_amount_yuan,
        CASE WHEN max(unit) IS NOT NULL THEN coalesce(sum(beneficiaries) FILTER (WHERE span = 'value'), 0) END
            AS beneficiaries,
        CASE WHEN max(unit) IS NOT NULL THEN coalesce(sum(beneficiaries) FILTER (WHERE span = 'previous'), 0) END
            AS previous_beneficiaries,
        coalesce(sum(persons) FILTER (WHERE span = 'value'), 0) AS persons,
        coalesce(sum(persons) FILTER (WHERE span = 'previous'), 0) AS previous_persons,
        coalesce(sum(projects) FILTER (WHERE span = 'value'), 0) AS projects,
        coalesce(sum(projects) FILTER (WHERE span = 'previous'), 0) AS previous_projects
    FROM measured
    GROUP BY level, program_group, program
)
SELECT
    *,
    amount_yuan / nullif(CASE WHEN unit = '个' THEN projects WHEN unit IS NOT NULL THEN persons END, 0) AS yuan_per_head
FROM per_span
ORDER BY level, program_group, program

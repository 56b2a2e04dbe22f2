-- Question: how much each programme, programme group and all programmes paid, to how many, this year and last year.
-- Grain: one row per programme, per programme group and one 'total' row with payments in either span
--        (by `period`, cut at the as-of date like the indicators).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE,
--             $programs, $groups, $units VARCHAR[] (parallel lists: programme code -> group label, counting unit).
-- Output: level VARCHAR ('program'|'group'|'total'), program_group VARCHAR, program VARCHAR (NULL above 'program'),
--         unit VARCHAR (人次 = rows, 人/户 = distinct person_key, 个 = distinct project_key; NULL when units are mixed),
--         amount_yuan / previous_amount_yuan DOUBLE (元), beneficiaries / previous_beneficiaries DOUBLE (in unit),
--         persons / previous_persons BIGINT (distinct person_key, 人), projects / previous_projects BIGINT (个),
--         yuan_per_head DOUBLE (元 per project for 个, else per distinct person; NULL when the unit is mixed).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
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
scoped AS (
    SELECT
        s.span,
        p.program,
        coalesce(c.program_group, p.program) AS program_group,
        coalesce(c.unit, '人次') AS unit,
        CASE WHEN c.program IS NULL THEN '人次' ELSE g.group_unit END AS group_unit,
        p.person_key,
        p.project_key,
        p.amount_yuan
    FROM payments AS p
    JOIN spans AS s ON p.period BETWEEN s.starts AND s.ends
    LEFT JOIN catalogue AS c USING (program)
    LEFT JOIN group_units AS g ON g.program_group = c.program_group
    WHERE in_scope(p.township_code, $townships)
),
measured AS (
    SELECT
        span,
        CASE
            WHEN grouping(program_group) = 1 THEN 'total'
            WHEN grouping(program) = 1 THEN 'group'
            ELSE 'program'
        END AS level,
        program_group,
        program,
        CASE level WHEN 'program' THEN min(unit) WHEN 'group' THEN min(group_unit) END AS unit,
        sum(amount_yuan)::DOUBLE AS amount_yuan,
        CASE
            WHEN CASE level WHEN 'program' THEN min(unit) WHEN 'group' THEN min(group_unit) END IS NULL THEN NULL
            WHEN min(unit) = '人次' THEN count(*)
            WHEN min(unit) = '个' THEN count(DISTINCT project_key)
            ELSE count(DISTINCT person_key)
        END::DOUBLE AS beneficiaries,
        count(DISTINCT person_key) AS persons,
        count(DISTINCT project_key) AS projects
    FROM scoped
    GROUP BY GROUPING SETS ((span, program_group, program), (span, program_group), (span))
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

-- Question: the payment indicators (amounts, person-times, persons, projects) for a year and townships, at each cut.
-- Grain: cut date × township group × indicator, from `payments` (summary_payments_monthly, summary_payment_firsts).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's payment indicators, dpf.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (1 Jan to cut), previous DOUBLE (a year earlier); 元, 人次 or 人/户/个 per indicator.
WITH definitions AS (
    SELECT indicator, source AS program, measure FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
-- Sums and row counts from the monthly summary; distinct persons and projects from each one's first payment of
-- the year (counted in a span when that first payment falls in it), only for the programmes that count them.
totals AS (
    SELECT
        s.cut,
        s.span,
        grain_of(m.township_code, $by_township) AS township,
        m.program,
        sum(m.payment_rows) AS payment_rows,
        sum(m.amount_yuan) AS amount
    FROM summary_payments_monthly AS m
    JOIN spans AS s ON m.period BETWEEN s.starts AND s.ends
    WHERE in_scope(m.township_code, $townships)
    GROUP BY ALL
),
distinct_counts AS (
    SELECT
        s.cut,
        s.span,
        grain_of(f.township_code, $by_township) AS township,
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
    SELECT t.cut, t.span, t.township, t.program, t.payment_rows, t.amount, d.persons, d.projects
    FROM totals AS t
    LEFT JOIN distinct_counts AS d
        ON d.cut = t.cut AND d.span = t.span AND d.township IS NOT DISTINCT FROM t.township AND d.program = t.program
),
measured AS (
    SELECT
        c.cut,
        g.township,
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
    CROSS JOIN grains AS g
    LEFT JOIN by_program AS b
        ON b.cut = c.cut AND b.township IS NOT DISTINCT FROM g.township AND (d.program = '*' OR d.program = b.program)
)
SELECT
    cut,
    township,
    indicator,
    coalesce(sum(measure_value) FILTER (WHERE span = 'value'), 0) AS value,
    coalesce(sum(measure_value) FILTER (WHERE span = 'previous'), 0) AS previous
FROM measured
GROUP BY cut, township, indicator
ORDER BY cut, township, indicator

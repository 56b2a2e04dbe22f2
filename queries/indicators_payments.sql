-- Question: the payment indicators (amounts, person-times, persons, projects) for a year and townships, at each cut.
-- Grain: cut date × township group × indicator, from `payments` (summary_payments_monthly, summary_payment_firsts).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $month INTEGER (NULL = 年初至今), $by_township BOOLEAN;
--             $indicators, $sources, $measures VARCHAR[] (the catalogue's payment indicators, dpf.contract.catalogue).
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value DOUBLE (1 Jan to cut), previous DOUBLE (a year earlier); 元, 人次 or 人/户/个 per indicator.
WITH definitions AS (
    SELECT * FROM indicator_definitions($indicators, $sources, $measures)
),
spans AS (
    SELECT * FROM cut_spans($year, $cuts, $month)
),
-- Sums and row counts from the monthly summary; distinct persons and projects from each one's first payment of
-- the year (counted in a span when that first payment falls in it), only for the programmes that count them.
totals AS (
    SELECT
        s.cut,
        s.span,
        grain_of(m.township_code, $by_township) AS township,
        m.program AS source,
        sum(m.payment_rows)::DOUBLE AS "rows",
        sum(m.amount_yuan)::DOUBLE AS amount
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
        f.program AS source,
        count(DISTINCT f.person_id)::DOUBLE AS persons,
        count(DISTINCT f.project_id)::DOUBLE AS projects
    FROM summary_payment_firsts AS f
    JOIN spans AS s ON f.first_period BETWEEN s.starts AND s.ends
    WHERE
        f.year IN ($year, $year - 1)
        AND in_scope(f.township_code, $townships)
        AND f.program IN (SELECT source FROM definitions WHERE measure IN ('persons', 'projects'))
    GROUP BY ALL
),
-- Each programme's figures, one row per measure (the measures of the catalogue's payment indicators).
figures AS (
    UNPIVOT totals ON "rows", amount INTO NAME measure VALUE figure
    UNION ALL
    UNPIVOT distinct_counts ON persons, projects INTO NAME measure VALUE figure
)
SELECT *
FROM indicator_sums('definitions', 'figures', $cuts, $by_township, $townships)
ORDER BY cut, township, indicator

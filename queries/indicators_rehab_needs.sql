-- Question: how many rehabilitation needs were recorded (all, basic medical, assistive devices) and what share is met.
-- Grain: cut date × township group × indicator, from `rehab_needs` (by `recorded_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = county), $cuts DATE[], $by_township BOOLEAN.
-- Output: cut DATE, township VARCHAR (each township alone when $by_township, else NULL = together), indicator VARCHAR,
--         value, previous DOUBLE; 条 for counts, % for the met rate (met_on by the span's end; NULL without needs).
WITH spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
grains AS (
    SELECT * FROM township_grains($by_township, $townships)
),
grouped AS (
    -- needs with the same dates count together, so each cut reads a few rows per day
    SELECT n.recorded_on, n.met_on, grain_of(n.township_code, $by_township) AS township, n.need, count(*) AS needs
    FROM rehab_needs AS n
    WHERE n.recorded_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(n.township_code, $townships)
    GROUP BY ALL
),
per_span AS (
    SELECT
        sp.cut,
        gr.township,
        sp.span,
        coalesce(sum(g.needs), 0)::DOUBLE AS needs,
        coalesce(sum(g.needs) FILTER (WHERE g.need = 'basic_medical'), 0)::DOUBLE AS basic_medical,
        coalesce(sum(g.needs) FILTER (WHERE g.need = 'assistive_device'), 0)::DOUBLE AS assistive_device,
        100.0 * coalesce(sum(g.needs) FILTER (WHERE g.met_on IS NOT NULL AND g.met_on <= sp.ends), 0)
            / nullif(sum(g.needs), 0) AS met_rate
    FROM spans AS sp
    CROSS JOIN grains AS gr
    LEFT JOIN grouped AS g
        ON g.township IS NOT DISTINCT FROM gr.township AND g.recorded_on BETWEEN sp.starts AND sp.ends
    GROUP BY sp.cut, gr.township, sp.span
),
indicator_names (indicator) AS (
    VALUES ('rehab_needs'), ('rehab_needs_basic_medical'), ('rehab_needs_assistive_device'), ('rehab_needs_met_rate')
),
long AS (
    SELECT
        p.cut,
        p.township,
        i.indicator,
        p.span,
        CASE i.indicator
            WHEN 'rehab_needs' THEN p.needs
            WHEN 'rehab_needs_basic_medical' THEN p.basic_medical
            WHEN 'rehab_needs_assistive_device' THEN p.assistive_device
            WHEN 'rehab_needs_met_rate' THEN p.met_rate
        END AS measure_value
    FROM indicator_names AS i
    CROSS JOIN per_span AS p
)
SELECT
    cut,
    township,
    indicator,
    max(measure_value) FILTER (WHERE span = 'value') AS value,
    max(measure_value) FILTER (WHERE span = 'previous') AS previous
FROM long
GROUP BY cut, township, indicator
ORDER BY cut, township, indicator

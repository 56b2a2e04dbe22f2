-- Question: how many rehabilitation needs were recorded (all, basic medical, assistive devices) and what share is met.
-- Grain: one row per cut date and indicator computed from `rehab_needs` (by `recorded_on`).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $cuts DATE[] (as-of dates).
-- Output: cut DATE, indicator VARCHAR, value DOUBLE, previous DOUBLE; 条 for counts, % for the met rate
--         (met = met_on on or before the span's end; NULL when no need was recorded).
WITH spans AS (
    SELECT * FROM cut_spans($year, $cuts)
),
grouped AS (
    -- needs with the same dates count together, so each cut reads a few rows per day
    SELECT n.recorded_on, n.met_on, n.need, count(*) AS needs
    FROM rehab_needs AS n
    WHERE n.recorded_on BETWEEN make_date($year - 1, 1, 1) AND make_date($year, 12, 31)
      AND in_scope(n.township_code, $townships)
    GROUP BY ALL
),
per_span AS (
    SELECT
        sp.cut,
        sp.span,
        coalesce(sum(g.needs), 0)::DOUBLE AS needs,
        coalesce(sum(g.needs) FILTER (WHERE g.need = 'basic_medical'), 0)::DOUBLE AS basic_medical,
        coalesce(sum(g.needs) FILTER (WHERE g.need = 'assistive_device'), 0)::DOUBLE AS assistive_device,
        100.0 * coalesce(sum(g.needs) FILTER (WHERE g.met_on IS NOT NULL AND g.met_on <= sp.ends), 0)
            / nullif(sum(g.needs), 0) AS met_rate
    FROM spans AS sp
    LEFT JOIN grouped AS g ON g.recorded_on BETWEEN sp.starts AND sp.ends
    GROUP BY sp.cut, sp.span
),
indicator_names (indicator) AS (
    VALUES ('rehab_needs'), ('rehab_needs_basic_medical'), ('rehab_needs_assistive_device'), ('rehab_needs_met_rate')
),
long AS (
    SELECT
        p.cut,
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
    indicator,
    max(measure_value) FILTER (WHERE span = 'value') AS value,
    max(measure_value) FILTER (WHERE span = 'previous') AS previous
FROM long
GROUP BY cut, indicator
ORDER BY cut, indicator

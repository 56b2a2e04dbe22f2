-- Question: how many rehabilitation needs were recorded (all, basic medical, assistive devices) and what share is met.
-- Grain: one row per indicator computed from `rehab_needs` (by `recorded_on`, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE, previous DOUBLE; 条 for counts, % for the met rate
--         (met = met_on on or before the span's end; NULL when no need was recorded).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
scoped AS (
    SELECT s.span, n.need, (n.met_on IS NOT NULL AND n.met_on <= s.ends) AS is_met
    FROM rehab_needs AS n
    JOIN spans AS s ON n.recorded_on BETWEEN s.starts AND s.ends
    WHERE in_scope(n.township_code, $townships)
),
per_span AS (
    SELECT
        sp.span,
        count(sc.need)::DOUBLE AS needs,
        (count(sc.need) FILTER (WHERE sc.need = 'basic_medical'))::DOUBLE AS basic_medical,
        (count(sc.need) FILTER (WHERE sc.need = 'assistive_device'))::DOUBLE AS assistive_device,
        100.0 * count(sc.need) FILTER (WHERE sc.is_met) / nullif(count(sc.need), 0) AS met_rate
    FROM spans AS sp
    LEFT JOIN scoped AS sc ON sc.span = sp.span
    GROUP BY sp.span
),
indicator_names (indicator) AS (
    VALUES ('rehab_needs'), ('rehab_needs_basic_medical'), ('rehab_needs_assistive_device'), ('rehab_needs_met_rate')
),
long AS (
    SELECT
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
    indicator,
    max(measure_value) FILTER (WHERE span = 'value') AS value,
    max(measure_value) FILTER (WHERE span = 'previous') AS previous
FROM long
GROUP BY indicator
ORDER BY indicator

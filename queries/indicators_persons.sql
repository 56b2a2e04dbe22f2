-- Question: how many persons held a valid disability certificate at the end of the span.
-- Grain: one row (indicator certified_persons) from `persons`, certified on the span's last day.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE (人), previous DOUBLE (人, a year earlier).
-- One pass over `persons`: a certificate counts at a span's end when issued by then and not cancelled by then.
WITH ends AS (
    SELECT
        max(ends) FILTER (WHERE span = 'value' AND ends >= starts) AS value_end,
        max(ends) FILTER (WHERE span = 'previous' AND ends >= starts) AS previous_end
    FROM report_spans($year, $as_of)
)
SELECT
    'certified_persons' AS indicator,
    count(p.person_key) FILTER (
        WHERE certified_on_day(p.certified_on, p.cancelled_on, e.value_end)
    )::DOUBLE AS value,
    count(p.person_key) FILTER (
        WHERE certified_on_day(p.certified_on, p.cancelled_on, e.previous_end)
    )::DOUBLE AS previous
FROM ends AS e
CROSS JOIN persons AS p
WHERE in_scope(p.township_code, $townships)

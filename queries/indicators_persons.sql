-- Question: how many persons held a valid disability certificate at the end of the span.
-- Grain: one row (indicator certified_persons) from `persons`, certified on the span's last day.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE (人), previous DOUBLE (人, a year earlier).
WITH spans AS (
    SELECT * FROM report_spans($year, $as_of)
),
certified AS (
    SELECT s.span, count(p.person_key) AS persons
    FROM spans AS s
    LEFT JOIN persons AS p
        ON p.certified_on <= s.ends
        AND (p.cancelled_on IS NULL OR p.cancelled_on > s.ends)
        AND s.ends >= s.starts
        AND in_scope(p.township_code, $townships)
    GROUP BY s.span
)
SELECT
    'certified_persons' AS indicator,
    max(persons) FILTER (WHERE span = 'value')::DOUBLE AS value,
    max(persons) FILTER (WHERE span = 'previous')::DOUBLE AS previous
FROM certified

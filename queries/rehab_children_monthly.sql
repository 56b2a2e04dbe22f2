-- Question: what children's rehabilitation was delivered each month — fittings and rehab placements.
-- Grain: one row per month and service with records in the year's span (by served_on, cut at the as-of date).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: month INTEGER (1-12), service VARCHAR, amount DOUBLE (例 for fittings, 人 for placements).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
scoped AS (
    SELECT month(v.served_on)::INTEGER AS month, v.service, v.person_key
    FROM services AS v, span AS s
    WHERE v.served_on BETWEEN s.starts AND s.ends
        AND v.service IN ('prosthesis_fitting', 'device_fitting', 'child_rehab')
        AND in_scope(v.township_code, $townships)
)
SELECT
    month,
    service,
    CASE service
        WHEN 'child_rehab' THEN count(DISTINCT person_key)
        ELSE count(*)
    END::DOUBLE AS amount
FROM scoped
GROUP BY month, service
ORDER BY month, service

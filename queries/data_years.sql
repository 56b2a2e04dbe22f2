-- Question: which calendar years have any payments, services, needs or surveys (for the year filter).
-- Grain: one row per year, newest first.
-- Parameters: $as_of DATE (years after it are not offered).
-- Output: year INTEGER.
WITH dated AS (
    SELECT DISTINCT period AS day FROM summary_payments_monthly
    UNION ALL SELECT served_on FROM services
    UNION ALL SELECT recorded_on FROM rehab_needs
    UNION ALL SELECT surveyed_on FROM satisfaction
)
SELECT DISTINCT year(day)::INTEGER AS year
FROM dated
WHERE day <= $as_of
ORDER BY year DESC

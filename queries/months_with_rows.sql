-- Question: in which months each indicator source table has rows at all (a month without rows has no figures of
--   that table: shown —, never 0), county-wide, so a township without rows in a month that has some reads 0.
-- Grain: one row per source table and month with at least one row (read once per opened folder).
-- Parameters: none.
-- Output: source VARCHAR (payments, services, rehab_needs, satisfaction), month DATE (the month's first day).
WITH payment_months AS (
    SELECT DISTINCT 'payments' AS source, period AS month
    FROM summary_payments_monthly
),
service_months AS (
    SELECT DISTINCT 'services' AS source, date_trunc('month', served_on)::DATE AS month
    FROM services
),
need_months AS (
    SELECT DISTINCT 'rehab_needs' AS source, date_trunc('month', recorded_on)::DATE AS month
    FROM rehab_needs
),
survey_months AS (
    SELECT DISTINCT 'satisfaction' AS source, date_trunc('month', surveyed_on)::DATE AS month
    FROM satisfaction
)
SELECT * FROM payment_months
UNION ALL
SELECT * FROM service_months
UNION ALL
SELECT * FROM need_months
UNION ALL
SELECT * FROM survey_months
ORDER BY source, month

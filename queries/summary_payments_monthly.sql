-- Question: how many payments, and how much, each month per township and programme (the pre-aggregate that
--   every amount and person-time figure reads instead of the payment rows).
-- Grain: one row per period (first day of the month), township_code and program with payments.
-- Parameters: none (built once per data folder by dpf.data.summary).
-- Output: period DATE, township_code VARCHAR, program VARCHAR, payment_rows BIGINT (人次), amount_yuan DOUBLE (元).
WITH monthly AS (
    SELECT period, township_code, program, count(*) AS payment_rows, sum(amount_yuan)::DOUBLE AS amount_yuan
    FROM payments
    GROUP BY period, township_code, program
)
SELECT * FROM monthly
ORDER BY period, township_code, program

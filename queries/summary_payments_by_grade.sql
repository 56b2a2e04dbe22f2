-- Question: how many payments, and how much, each month per township, programme and the payee's disability
--   category and grade (the pre-aggregate behind "who a programme reached").
-- Grain: one row per period, township_code, program, to_person, category and grade with payments.
-- Parameters: none (built once per data folder by dpf.data.summary).
-- Output: period DATE, township_code VARCHAR, program VARCHAR, to_person BOOLEAN (person_key set), category SMALLINT,
--         grade SMALLINT (NULL: a project or not in `persons`), payment_rows BIGINT (人次), amount_yuan DOUBLE (元).
WITH graded AS (
    SELECT
        p.period,
        p.township_code,
        p.program,
        p.person_key IS NOT NULL AS to_person,
        ps.category,
        ps.grade,
        count(*) AS payment_rows,
        sum(p.amount_yuan)::DOUBLE AS amount_yuan
    FROM payments AS p
    LEFT JOIN persons AS ps USING (person_key)
    GROUP BY ALL
)
SELECT * FROM graded
ORDER BY period, township_code, program

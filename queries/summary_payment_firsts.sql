-- Question: when, in each calendar year, each beneficiary (or project) was first paid by each programme in each
--   township (the pre-aggregate behind every distinct-person and distinct-project count: a person is counted in a
--   span from 1 January to day D when their first payment of that year is on or before D).
-- Grain: one row per year, program, township_code, person_key and project_key with payments.
-- Parameters: none (built once per data folder by dpf.summary).
-- Output: year SMALLINT, program VARCHAR, township_code VARCHAR, person_key VARCHAR, project_key VARCHAR,
--         first_period DATE (the first payment's period that year).
WITH firsts AS (
    SELECT
        year(period)::SMALLINT AS year,
        program,
        township_code,
        person_key,
        project_key,
        min(period) AS first_period
    FROM payments
    GROUP BY ALL
)
SELECT * FROM firsts
ORDER BY year, program, township_code

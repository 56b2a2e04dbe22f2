-- Question: when, in each calendar year, each beneficiary (or project) was first paid by each programme in each
--   township (the pre-aggregate behind every distinct-person and distinct-project count: a person is counted in a
--   span from 1 January to day D when their first payment of that year is on or before D).
-- Grain: one row per year, program, township_code and payee (person or project) with payments.
-- Parameters: none (built once per data folder by dpf.data.summary). person_id / project_id are dense integers standing
--   for person_key / project_key within this summary (faster to count); category, grade from `persons` (NULL: none).
-- Output: year SMALLINT, program VARCHAR, township_code VARCHAR, person_id INTEGER, project_id INTEGER,
--         category SMALLINT, grade SMALLINT, first_period DATE (the first payment's period that year).
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
),
person_ids AS (
    SELECT person_key, row_number() OVER ()::INTEGER AS person_id
    FROM (SELECT DISTINCT person_key FROM firsts WHERE person_key IS NOT NULL)
),
project_ids AS (
    SELECT project_key, row_number() OVER ()::INTEGER AS project_id
    FROM (SELECT DISTINCT project_key FROM firsts WHERE project_key IS NOT NULL)
)
SELECT f.year, f.program, f.township_code, i.person_id, j.project_id, ps.category, ps.grade, f.first_period
FROM firsts AS f
LEFT JOIN person_ids AS i USING (person_key)
LEFT JOIN project_ids AS j USING (project_key)
LEFT JOIN persons AS ps USING (person_key)
ORDER BY f.year, f.program, f.township_code

-- Question: when, in each calendar year, each person was first served by each service in each township (behind every
--   distinct-person count of services: a person counts in a span from 1 January to day D when their first that year
--   is on or before D).
-- Grain: one row per year, service, township_code and person with services (events without a person are left out).
-- Parameters: none (built once per data folder by dpf.data.summary). person_id is a dense integer for person_key.
-- Output: year SMALLINT, service VARCHAR, township_code VARCHAR, person_id INTEGER, first_day DATE.
WITH firsts AS (
    SELECT year(served_on)::SMALLINT AS year, service, township_code, person_key, min(served_on) AS first_day
    FROM services
    WHERE person_key IS NOT NULL
    GROUP BY ALL
),
person_ids AS (
    SELECT person_key, row_number() OVER ()::INTEGER AS person_id
    FROM (SELECT DISTINCT person_key FROM firsts)
)
SELECT f.year, f.service, f.township_code, i.person_id, f.first_day
FROM firsts AS f
JOIN person_ids AS i USING (person_key)
ORDER BY f.year, f.service, f.township_code, f.first_day

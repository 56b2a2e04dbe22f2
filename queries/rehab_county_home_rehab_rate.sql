-- Question: the county average of home rehab by family doctors per 1,000 certified persons (the benchmark line).
-- Grain: one row for the whole county, for the year's span (home rehab persons via summary_service_firsts).
-- Parameters: $year INTEGER, $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: home_rehab_persons BIGINT (人), certified_persons BIGINT (人, at the span's end), home_rehab_per_1000 DOUBLE (人/千人).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
-- a person counts when their first home rehab of the year (summary_service_firsts) falls in the span
served AS (
    SELECT count(DISTINCT f.person_id) AS home_rehab_persons
    FROM summary_service_firsts AS f, span AS s
    WHERE f.service = 'home_rehab' AND f.year = $year AND f.first_day BETWEEN s.starts AND s.ends
),
certified AS (
    SELECT coalesce(sum(certified_persons), 0)::BIGINT AS certified_persons
    FROM certified_by_township((SELECT ends FROM span))
)
SELECT
    served.home_rehab_persons,
    certified.certified_persons,
    1000.0 * served.home_rehab_persons / nullif(certified.certified_persons, 0) AS home_rehab_per_1000
FROM served, certified

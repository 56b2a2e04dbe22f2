-- Question: where does rehabilitation coverage lag — needs met and home rehab per 1,000 certified persons, by township.
-- Grain: one row per township (all, so a chosen one can be compared), for the year's span; home rehab persons via
--        summary_service_firsts.
-- Parameters: $year INTEGER, $as_of DATE, $month INTEGER (NULL = 年初至今).
-- Output: code, name VARCHAR; needs, needs_met BIGINT (条; met = met_on on or before $as_of); met_rate DOUBLE (%);
--         home_rehab_persons BIGINT (人); certified_persons BIGINT (人, at the span's end); home_rehab_per_1000 DOUBLE (人/千人).
WITH span AS (
    SELECT starts, ends FROM report_spans($year, $as_of, $month) WHERE span = 'value'
),
needs AS (
    SELECT
        n.township_code AS code,
        count(*) AS needs,
        count(*) FILTER (WHERE n.met_on <= $as_of) AS needs_met
    FROM rehab_needs AS n, span AS s
    WHERE n.recorded_on BETWEEN s.starts AND s.ends
    GROUP BY n.township_code
),
-- a person counts when their first home rehab of the year (summary_service_firsts) falls in the span
home_rehab AS (
    SELECT f.township_code AS code, count(DISTINCT f.person_id) AS home_rehab_persons
    FROM summary_service_firsts AS f, span AS s
    WHERE f.service = 'home_rehab' AND f.year = $year AND f.first_day BETWEEN s.starts AND s.ends
    GROUP BY f.township_code
),
certified AS (
    SELECT * FROM certified_by_township((SELECT ends FROM span))
)
SELECT
    t.code,
    t.name,
    coalesce(needs.needs, 0) AS needs,
    coalesce(needs.needs_met, 0) AS needs_met,
    100.0 * needs.needs_met / nullif(needs.needs, 0) AS met_rate,
    coalesce(home_rehab.home_rehab_persons, 0) AS home_rehab_persons,
    coalesce(certified.certified_persons, 0) AS certified_persons,
    1000.0 * coalesce(home_rehab.home_rehab_persons, 0) / nullif(certified.certified_persons, 0) AS home_rehab_per_1000
FROM townships AS t
LEFT JOIN needs USING (code)
LEFT JOIN home_rehab USING (code)
LEFT JOIN certified USING (code)
ORDER BY t.sort_order, t.code

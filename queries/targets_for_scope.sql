-- Question: the year's target for each indicator, for the whole county or for the chosen townships.
-- Grain: one row per indicator that has a target in `targets` for the year.
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county).
-- Output: indicator VARCHAR, county_target DOUBLE, scope_target DOUBLE (the county's, or the sum of the
--         chosen townships' shares when every chosen township has one; else NULL), note VARCHAR, shares INTEGER.
WITH year_targets AS (
    SELECT indicator, township_code, target, note
    FROM targets
    WHERE year = $year
),
county AS (
    SELECT indicator, max(target) AS county_target, max(note) AS note
    FROM year_targets
    WHERE township_code IS NULL
    GROUP BY indicator
),
shares AS (
    SELECT indicator, count(DISTINCT township_code) AS shares, sum(target) AS share_sum
    FROM year_targets
    WHERE township_code IS NOT NULL AND list_contains($townships, township_code)
    GROUP BY indicator
),
indicators AS (
    SELECT DISTINCT indicator FROM year_targets
)
SELECT
    i.indicator,
    c.county_target,
    CASE
        WHEN len($townships) = 0 THEN c.county_target
        WHEN s.shares = len(list_distinct($townships)) THEN s.share_sum
    END AS scope_target,
    coalesce(c.note, '') AS note,
    coalesce(s.shares, 0)::INTEGER AS shares
FROM indicators AS i
LEFT JOIN county AS c USING (indicator)
LEFT JOIN shares AS s USING (indicator)
ORDER BY i.indicator

-- Question: which of the year's targets are broken down into township shares, and each township's share.
-- Grain: one row per indicator and township that has a share in `targets` for the year.
-- Parameters: $year INTEGER.
-- Output: indicator VARCHAR, township_code VARCHAR, township_name VARCHAR (NULL for a code not in townships),
--         sort_order INTEGER, target DOUBLE (the share, in the indicator's unit), note VARCHAR.
WITH shares AS (
    SELECT indicator, township_code, sum(target)::DOUBLE AS target, max(note) AS note
    FROM targets
    WHERE year = $year AND township_code IS NOT NULL
    GROUP BY indicator, township_code
)
SELECT
    s.indicator,
    s.township_code,
    t.name AS township_name,
    t.sort_order,
    s.target,
    coalesce(s.note, '') AS note
FROM shares AS s
LEFT JOIN townships AS t ON t.code = s.township_code
ORDER BY s.indicator, t.sort_order NULLS LAST, s.township_code

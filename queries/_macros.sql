-- Shared macros, created once when a data folder is opened (dpf.db.open_extracts).
-- report_spans(year, as_of): the two spans every indicator compares: 'value' = 1 January of
--   the year to the as-of date (or 31 December), 'previous' = the same span a year earlier.
-- in_scope(code, townships): a row belongs to the chosen townships (empty list = whole county;
--   a NULL code, a county-level event, is in scope only for the whole county).
CREATE OR REPLACE MACRO report_spans(y, as_of) AS TABLE
    SELECT 'value' AS span, make_date(y, 1, 1) AS starts, least(make_date(y, 12, 31), as_of::DATE) AS ends
    UNION ALL
    SELECT 'previous', make_date(y - 1, 1, 1), least(make_date(y - 1, 12, 31), (as_of::DATE - INTERVAL 1 YEAR)::DATE);

CREATE OR REPLACE MACRO in_scope(code, townships) AS
    len(townships) = 0 OR coalesce(list_contains(townships, code), false);

-- Shared macros, created once when a data folder is opened (dpf.data.db.open_extracts), after its tables' views.
-- report_spans(year, as_of, month): the two spans every indicator compares: 'value' = 1 January of the year (month
--   NULL, 年初至今) or the first of that month, to the as-of date or the span's last day, whichever is first;
--   'previous' = the same span a year earlier (同比).
-- in_scope(code, townships): a row belongs to the chosen townships (empty list = whole county;
--   a NULL code, a county-level event, is in scope only for the whole county). A semi-join, not list_contains:
--   with every township's code in the list (rankings at scale 100: 2,300) a scan per row took seconds.
CREATE OR REPLACE MACRO span_start(y, m) AS make_date(y, coalesce(m, 1), 1);

CREATE OR REPLACE MACRO span_end(y, m) AS CASE WHEN m IS NULL THEN make_date(y, 12, 31) ELSE last_day(make_date(y, m, 1)) END;

CREATE OR REPLACE MACRO report_spans(y, as_of, m) AS TABLE
    SELECT 'value' AS span, span_start(y, m) AS starts, least(span_end(y, m), as_of::DATE) AS ends
    UNION ALL
    SELECT 'previous', span_start(y - 1, m), least(span_end(y - 1, m), (as_of::DATE - INTERVAL 1 YEAR)::DATE);

-- cut_spans(year, cuts, month): report_spans for each cut date of a list (column cut), so one query answers "the
--   value at each month end" (dpf.figures.progress) as well as "the value at the as-of date" (a one-element list).
CREATE OR REPLACE MACRO cut_spans(y, cuts, m) AS TABLE
    WITH cut_list AS (SELECT DISTINCT unnest(cuts)::DATE AS cut)
    SELECT cut, 'value' AS span, span_start(y, m) AS starts, least(span_end(y, m), cut) AS ends FROM cut_list
    UNION ALL
    SELECT cut, 'previous', span_start(y - 1, m), least(span_end(y - 1, m), (cut - INTERVAL 1 YEAR)::DATE)
    FROM cut_list;

CREATE OR REPLACE MACRO in_scope(code, townships) AS
    len(townships) = 0 OR coalesce(code IN (SELECT unnest(townships)), false);

-- township_grains(by_township, townships): the groups an indicator query answers for, column township: each of
--   the townships on its own (by_township) or one NULL group for the townships together.
--   grain_of(code, by_township): the group a row falls in. Rows and groups match with IS NOT DISTINCT FROM.
CREATE OR REPLACE MACRO township_grains(by_township, townships) AS TABLE
    SELECT DISTINCT unnest(CASE WHEN by_township THEN townships::VARCHAR[] ELSE [NULL::VARCHAR] END) AS township;

CREATE OR REPLACE MACRO grain_of(code, by_township) AS CASE WHEN by_township THEN code END;

-- certified_on_day(certified_on, cancelled_on, day): the contract's "certified on day D" (certificate issued by D
--   and not cancelled on or before D).
CREATE OR REPLACE MACRO certified_on_day(certified_on, cancelled_on, day) AS
    certified_on <= day AND (cancelled_on IS NULL OR cancelled_on > day);

-- township_rows(codes): every township (code, name, sort_order) with `chosen`, whether it is one of the codes (a
--   non-empty list), for the queries that answer for every township so the chosen ones can be compared with the rest.
CREATE OR REPLACE MACRO township_rows(codes) AS TABLE
    SELECT code, name, sort_order, len(codes) > 0 AND in_scope(code, codes) AS chosen
    FROM townships;

-- certified_by_township(day): persons certified on that day per township (code, certified_persons), from `persons`.
CREATE OR REPLACE MACRO certified_by_township(day) AS TABLE
    SELECT township_code AS code, count(*) AS certified_persons
    FROM persons
    WHERE certified_on_day(certified_on, cancelled_on, day)
    GROUP BY township_code;

-- indicator_definitions(indicators, sources, measures): the catalogue's indicators of one table as rows (indicator,
--   source, measure), from the parallel lists dpf.figures.indicators passes (dpf.contract.catalogue.indicator_definitions); source is
--   the programme, service or need counted, '*' for all of them. An indicator counting several sources has a row each.
CREATE OR REPLACE MACRO indicator_definitions(indicators, sources, measures) AS TABLE
    SELECT unnest(indicators) AS indicator, unnest(sources) AS source, unnest(measures) AS measure;

-- indicator_sums(definitions, figures, cuts, by_township, townships): each indicator's value and previous at each cut
--   for each township group (township_grains): the sum of the figures of its sources for its measure, 0 where there
--   are none. `definitions` and `figures` name the calling query's CTEs (read with query_table): definitions as
--   indicator_definitions gives them, figures (cut, span, township, source, measure, figure DOUBLE).
CREATE OR REPLACE MACRO indicator_sums(definitions, figures, cuts, by_township, townships) AS TABLE
    SELECT
        c.cut,
        g.township,
        d.indicator,
        coalesce(sum(f.figure) FILTER (WHERE f.span = 'value'), 0) AS value,
        coalesce(sum(f.figure) FILTER (WHERE f.span = 'previous'), 0) AS previous
    FROM query_table(definitions) AS d
    CROSS JOIN (SELECT DISTINCT unnest(cuts)::DATE AS cut) AS c
    CROSS JOIN township_grains(by_township, townships) AS g
    LEFT JOIN query_table(figures) AS f
        ON f.cut = c.cut
        AND f.township IS NOT DISTINCT FROM g.township
        AND f.measure = d.measure
        AND (d.source = '*' OR f.source = d.source)
    GROUP BY c.cut, g.township, d.indicator;

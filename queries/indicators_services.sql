-- Question: the service indicators (trainees, classes, fairs, assessments, rehab, volunteering) for a year and townships.
-- Grain: one row per indicator computed from `services` (by `served_on`, cut at the as-of date;
--        county-level events, township_code NULL, count only for the whole county).
-- Parameters: $year INTEGER, $townships VARCHAR[] (codes; empty = whole county), $as_of DATE.
-- Output: indicator VARCHAR, value DOUBLE, previous DOUBLE (same span a year earlier), in the indicator's unit.
WITH by_service AS (
    SELECT
        span_of(v.served_on, $year, $as_of) AS span,
        v.service,
        count(*) AS service_rows,
        sum(v.quantity) AS quantity,
        count(DISTINCT v.person_key) AS persons,
        count(DISTINCT v.batch) AS batches
    FROM services AS v
    WHERE in_report_spans(v.served_on, $year, $as_of) AND in_scope(v.township_code, $townships)
    GROUP BY ALL
    HAVING span IS NOT NULL
),
definitions (indicator, service, measure) AS (
    VALUES
        ('training_person_times', 'vocational_training', 'rows'),
        ('training_batches', 'vocational_training', 'batches'),
        ('job_registrations', 'job_registration', 'persons'),
        ('job_fairs', 'job_fair', 'rows'),
        ('job_fair_enterprises', 'job_fair', 'quantity'),
        ('job_intentions', 'job_intention', 'persons'),
        ('outreach_events', 'policy_outreach', 'rows'),
        ('outreach_leaflets', 'policy_outreach', 'quantity'),
        ('assessments_centralized', 'assessment_centralized', 'rows'),
        ('assessments_home', 'assessment_home', 'rows'),
        ('certificates_issued', 'certificate_issued', 'rows'),
        ('home_rehab_persons', 'home_rehab', 'persons'),
        ('prosthesis_fittings', 'prosthesis_fitting', 'rows'),
        ('device_fittings', 'device_fitting', 'rows'),
        ('devices_issued', 'device_issued', 'quantity'),
        ('child_rehab_persons', 'child_rehab', 'persons'),
        ('respite_care_person_times', 'respite_care', 'rows'),
        ('volunteer_activities', 'volunteer_activity', 'rows'),
        ('volunteer_hours', 'volunteer_activity', 'quantity')
),
measured AS (
    SELECT
        d.indicator,
        b.span,
        CASE d.measure
            WHEN 'rows' THEN b.service_rows
            WHEN 'quantity' THEN b.quantity
            WHEN 'persons' THEN b.persons
            WHEN 'batches' THEN b.batches
        END::DOUBLE AS measure_value
    FROM definitions AS d
    LEFT JOIN by_service AS b ON d.service = b.service
)
SELECT
    indicator,
    coalesce(sum(measure_value) FILTER (WHERE span = 'value'), 0) AS value,
    coalesce(sum(measure_value) FILTER (WHERE span = 'previous'), 0) AS previous
FROM measured
GROUP BY indicator
ORDER BY indicator

-- Paid lines of ended entitlements for months after the end or the death month. The ended ones are
-- found first, and they are few: those with an end month (a scan of the entitlements) and those of the
-- dead (the partial index person_dead, a few thousand of a million residents); starting from the
-- lines instead, the planner joins every paid line to its entitlement and person (1.4 s at 1.18M
-- residents). Each ended entitlement is then looked up month by month (the months that have runs) on
-- the exactly-once key, whose first column is the month, so the lines of the others are never read.
WITH ended AS MATERIALIZED (
    SELECT e.id, LEAST(coalesce(e.end_period, 'infinity'::date),
                       coalesce(date_trunc('month', p.date_of_death)::date, 'infinity'::date)) AS cutoff
    FROM benefits_entitlement e
    LEFT JOIN people_person p ON p.id = e.person_id
    WHERE e.end_period IS NOT NULL
    UNION
    SELECT e.id, LEAST(coalesce(e.end_period, 'infinity'::date), date_trunc('month', p.date_of_death)::date)
    FROM people_person p
    JOIN benefits_entitlement e ON e.person_id = p.id
    WHERE p.date_of_death IS NOT NULL
)
SELECT l.id
FROM ended x
JOIN (SELECT DISTINCT period FROM disbursement_paymentrun) r ON r.period > x.cutoff
JOIN disbursement_paymentline l
  ON l.period = r.period AND l.line_type IN ('regular', 'arrears', 'reissue') AND l.key_ref = x.id
 AND l.entitlement_id = x.id AND l.status = 'paid'

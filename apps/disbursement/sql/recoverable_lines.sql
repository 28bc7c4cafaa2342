-- Paid lines of ended entitlements for months after the end or the death month: each ended
-- entitlement is looked up month by month (the months that have runs) on the exactly-once key,
-- whose first column is the month, so the lines of the other entitlements are never read.
SELECT l.id
FROM benefits_entitlement e
LEFT JOIN people_person p ON p.id = e.person_id
JOIN (SELECT DISTINCT period FROM disbursement_paymentrun) r
  ON r.period > LEAST(coalesce(e.end_period, 'infinity'::date),
                      coalesce(date_trunc('month', p.date_of_death)::date, 'infinity'::date))
JOIN disbursement_paymentline l
  ON l.period = r.period AND l.line_type IN ('regular', 'arrears', 'reissue') AND l.key_ref = e.id
 AND l.entitlement_id = e.id AND l.status = 'paid'
WHERE e.end_period IS NOT NULL OR p.date_of_death IS NOT NULL

-- Same variant, eligibility goes on after the current entitlement's end (a renewed certificate, a
-- dibao renewed): a new entitlement from the month after.
INSERT INTO pe_prop
SELECT t.person_id, t.programme, 'start', t.variant, x.period, t.target_end, NULL,
       t.payee_person_id, t.payee_institution_id, NULL, t.reason_code, t.facts,
       'start:' || t.variant || ':' || x.period
FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
CROSS JOIN LATERAL (SELECT greatest(t.basis, (c.end_period + interval '1 month')::date) AS period) x
WHERE c.variant = t.variant AND c.end_period IS NOT NULL AND c.status = 'active'
  AND (t.target_end IS NULL OR t.target_end > c.end_period) AND (t.target_end IS NULL OR t.target_end >= x.period)

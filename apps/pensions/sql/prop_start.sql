-- Newly eligible, nothing current: from the month the facts give, never before this month (no
-- back-pay for what the registry learns late) nor into a month an old entitlement paid. The key
-- keeps the unfloored month, so a rejection holds while the facts stay the same.
INSERT INTO pe_prop
SELECT t.person_id, t.programme, 'start', t.variant, x.period, t.target_end, NULL,
       t.payee_person_id, t.payee_institution_id, NULL, t.reason_code, t.facts,
       'start:' || t.variant || ':' || greatest(t.basis, (le.last_end + interval '1 month')::date)
FROM pe_target t
LEFT JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
LEFT JOIN pe_last_end le ON le.person_id = t.person_id AND le.programme = t.programme
CROSS JOIN LATERAL (SELECT greatest(t.basis, %(p0)s, (le.last_end + interval '1 month')::date) AS period) x
WHERE c.id IS NULL AND (t.target_end IS NULL OR t.target_end >= x.period)

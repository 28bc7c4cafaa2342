-- The writes the confirmed changes ask of benefits (benefits/sql/changes_table.sql): a stop ends its
-- entitlement at its period, a rebracket ends the old one the month before the new one and opens
-- the new one, a start opens one, a grant creates one.
INSERT INTO {table} (op, id, programme_id, variant, person_id, payee_person_id, payee_institution_id,
                     period, end_period, amount, reason, source, history_reason)
SELECT 'end', a.entitlement_id, a.programme_id, a.variant, a.person_id, NULL::bigint, NULL::bigint,
       CASE WHEN a.action = 'stop' THEN a.period ELSE (a.period - interval '1 month')::date END, NULL::date,
       NULL::numeric,
       a.reason_label || ' (pensions.eligibility:' || a.id || ')', '', 'pensions.eligibility:' || a.id
FROM pe_apply a WHERE a.action IN ('stop', 'rebracket') AND a.entitlement_id IS NOT NULL
UNION ALL
SELECT 'open', a.created_entitlement_id, a.programme_id, a.variant, a.person_id, a.payee_person_id,
       a.payee_institution_id, a.period, a.end_period, NULL::numeric, a.reason_label, 'pensions.eligibility:' || a.id, ''
FROM pe_apply a WHERE a.action IN ('start', 'rebracket')
UNION ALL
SELECT 'grant', a.created_grant_id, a.programme_id, a.variant, a.person_id, a.payee_person_id, NULL::bigint,
       a.period, NULL::date, a.amount, a.reason_label,
       'pensions.longevity-grant:' || a.person_id || ':' || extract(year FROM a.period)::int, ''
FROM pe_apply a WHERE a.action = 'grant'

-- Another bracket (高龄津贴) or placement (孤儿): the current one ends the month before the new one.
INSERT INTO pe_prop
SELECT t.person_id, t.programme, 'rebracket', t.variant, x.period, t.target_end, c.id,
       t.payee_person_id, t.payee_institution_id, NULL,
       CASE WHEN t.programme = 'orphan' THEN 'placement_changed' ELSE t.reason_code END,
       t.facts || jsonb_build_object('from', c.variant), 'rebracket:' || t.variant || ':' || c.id
FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
CROSS JOIN LATERAL (
    SELECT greatest(t.basis, %(p0)s, (c.start_period + interval '1 month')::date) AS period) x
WHERE c.variant <> t.variant AND c.status = 'active' AND (t.target_end IS NULL OR t.target_end >= x.period)

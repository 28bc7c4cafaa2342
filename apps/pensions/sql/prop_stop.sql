-- Same variant, but eligibility ends before the current entitlement does: stop it then.
INSERT INTO pe_prop
SELECT t.person_id, t.programme, 'stop', c.variant, t.target_end, NULL, c.id, NULL, NULL, NULL,
       t.end_reason, t.facts, 'stop:' || t.end_reason || ':' || c.id || ':' || t.target_end
FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
WHERE c.variant = t.variant AND t.target_end IS NOT NULL
  AND (c.end_period IS NULL OR c.end_period > t.target_end)

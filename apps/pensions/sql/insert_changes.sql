-- One change per proposal not yet recorded; a key already pending, confirmed or rejected is skipped.
-- Confirmed at once, a change gets the id of the entitlement or grant it will create now
-- (benefits reserves the ids), so applying it needs no second pass.
INSERT INTO pensions_eligibilitychange (
    run_id, person_id, programme_id, action, variant, period, end_period, amount, entitlement_id,
    payee_person_id, payee_institution_id, reason_code, facts, key, status, decided_at, note, created_at,
    created_entitlement_id, created_grant_id)
SELECT %(run_id)s, person_id, programme, action, variant, period, end_period, amount, entitlement_id,
       payee_person_id, payee_institution_id, reason_code, facts, key,
       CASE WHEN %(confirmed)s THEN 'confirmed' ELSE 'pending' END,
       CASE WHEN %(confirmed)s THEN now() END,
       CASE WHEN %(confirmed)s THEN 'confirmed automatically (bureau setting)' ELSE '' END, now(),
       CASE WHEN %(confirmed)s AND action IN ('start', 'rebracket') THEN {next_entitlement} END,
       CASE WHEN %(confirmed)s AND action = 'grant' THEN {next_grant} END
FROM pe_prop
ORDER BY person_id, programme, action
ON CONFLICT DO NOTHING
RETURNING id, programme_id, action

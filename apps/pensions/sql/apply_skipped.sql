-- A change whose months were already covered (or whose grant exists) did nothing: superseded, and
-- the id it was given, which names no row, dropped.
UPDATE pensions_eligibilitychange ch SET status = 'superseded', created_entitlement_id = NULL,
       created_grant_id = NULL,
       note = left(ch.note || ' — not applied: an entitlement or grant already covers it', 300)
FROM pe_apply a
WHERE a.id = ch.id AND (
    (a.action IN ('start', 'rebracket')
     AND NOT EXISTS (SELECT 1 FROM benefits_entitlement e WHERE e.id = a.created_entitlement_id))
    OR (a.action = 'grant'
        AND NOT EXISTS (SELECT 1 FROM benefits_grant g WHERE g.id = a.created_grant_id)))

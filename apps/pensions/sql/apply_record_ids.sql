-- The changes remember the ids just given (apply_assign_ids).
UPDATE pensions_eligibilitychange ch
SET created_entitlement_id = a.created_entitlement_id, created_grant_id = a.created_grant_id
FROM pe_apply a WHERE a.id = ch.id
  AND (ch.created_entitlement_id IS DISTINCT FROM a.created_entitlement_id
       OR ch.created_grant_id IS DISTINCT FROM a.created_grant_id)

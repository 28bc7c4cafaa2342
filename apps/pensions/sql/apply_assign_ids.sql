-- The ids of the entitlement or grant each change creates, for changes that have none yet.
UPDATE pe_apply SET
    created_entitlement_id = CASE WHEN action IN ('start', 'rebracket') THEN {next_entitlement} END,
    created_grant_id = CASE WHEN action = 'grant' THEN {next_grant} END
WHERE (action IN ('start', 'rebracket') AND created_entitlement_id IS NULL)
   OR (action = 'grant' AND created_grant_id IS NULL)

-- pe_diag_in: current, but no longer eligible at all (to be explained by pe_diag and stopped).
CREATE TEMP TABLE pe_diag_in ON COMMIT DROP AS
SELECT c.person_id, c.programme, c.id AS entitlement_id, c.variant, c.start_period, c.end_period
FROM pe_current c
LEFT JOIN pe_target t ON t.person_id = c.person_id AND t.programme = c.programme
WHERE t.person_id IS NULL

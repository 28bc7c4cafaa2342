-- The confirmed changes to apply (pe_apply), each with its reason's label in the bureau's language.
CREATE TEMP TABLE pe_apply ON COMMIT DROP AS
SELECT ch.*, coalesce(rl.label, ch.reason_code) AS reason_label
FROM unnest(%(ids)s::bigint[]) AS wanted(id)
JOIN pensions_eligibilitychange ch ON ch.id = wanted.id
LEFT JOIN pe_reason rl ON rl.code = ch.reason_code
WHERE ch.status = 'confirmed'

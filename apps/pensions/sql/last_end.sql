-- pe_last_end: the last period an ended entitlement of the programme paid, per person.
SELECT person_id, programme_id AS programme, max(end_period) AS last_end
FROM benefits_entitlement
WHERE programme_id = ANY(%(programmes)s) AND person_id IS NOT NULL
  AND status IN ('active', 'suspended', 'ended') AND end_period IS NOT NULL{only}
GROUP BY person_id, programme_id

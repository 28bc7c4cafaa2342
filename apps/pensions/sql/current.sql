-- pe_current: the entitlement of these programmes each person has now (or from a future month).
-- Suspended ones count as current: the engine starts nothing beside them and moves nothing out of
-- them (staff suspended it for a reason); it still ends them when eligibility ends.
SELECT DISTINCT ON (person_id, programme_id) id, person_id, programme_id AS programme, variant,
       start_period, end_period, status
FROM benefits_entitlement
WHERE programme_id = ANY(%(programmes)s) AND person_id IS NOT NULL
  AND status IN ('active', 'suspended') AND (end_period IS NULL OR end_period >= %(p0)s){only}
ORDER BY person_id, programme_id, start_period DESC, id DESC

-- pe_support: per person, on dibao / 低保边缘 / 特困 (分散 or not), with the support's start and end:
--   es_*  dibao or 分散特困 (the elderly service subsidy's condition)
--   dm_*  dibao or 低保边缘 (the living subsidy's condition)
--   tk_*  特困
WITH e AS (
    SELECT hm.person_id, en.programme_id, en.start_period, en.end_period, en.payee_person_id
    FROM benefits_entitlement en JOIN people_householdmember hm ON hm.household_id = en.household_id
    WHERE en.programme_id IN ('dibao', 'dibao_marginal') AND en.status = 'active'
      AND (en.end_period IS NULL OR en.end_period >= %(p0)s){only_hm}
    UNION ALL
    SELECT en.person_id, en.programme_id, en.start_period, en.end_period, en.payee_person_id
    FROM benefits_entitlement en
    WHERE en.person_id IS NOT NULL AND en.status = 'active'
      AND (en.programme_id = 'tekun' OR (en.programme_id IN ('dibao', 'dibao_marginal')
                                         AND en.household_id IS NULL))
      AND (en.end_period IS NULL OR en.end_period >= %(p0)s){only_en}
), f AS (
    SELECT *, (programme_id = 'dibao' OR (programme_id = 'tekun' AND payee_person_id IS NOT NULL)) AS es,
              programme_id IN ('dibao', 'dibao_marginal') AS dm, programme_id = 'tekun' AS tk
    FROM e
)
SELECT person_id,
       count(*) FILTER (WHERE es) > 0 AS es_has, min(start_period) FILTER (WHERE es) AS es_s,
       CASE WHEN bool_or(end_period IS NULL) FILTER (WHERE es) THEN NULL
            ELSE max(end_period) FILTER (WHERE es) END AS es_e,
       count(*) FILTER (WHERE dm) > 0 AS dm_has, min(start_period) FILTER (WHERE dm) AS dm_s,
       CASE WHEN bool_or(end_period IS NULL) FILTER (WHERE dm) THEN NULL
            ELSE max(end_period) FILTER (WHERE dm) END AS dm_e,
       count(*) FILTER (WHERE tk) > 0 AS tk_has, min(start_period) FILTER (WHERE tk) AS tk_s,
       CASE WHEN bool_or(end_period IS NULL) FILTER (WHERE tk) THEN NULL
            ELSE max(end_period) FILTER (WHERE tk) END AS tk_e
FROM f GROUP BY person_id

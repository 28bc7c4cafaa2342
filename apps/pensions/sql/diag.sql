-- pe_diag: why each (person, programme) in pe_diag_in has no target (reason_code), the day of the
-- event where the reason has one, and the last period to pay (stop_end_dated; stop_end is added after).
SELECT d.person_id, d.programme, d.entitlement_id, d.variant, d.start_period, d.end_period,
       r.code AS reason_code,
       CASE WHEN ev.day IS NULL THEN NULL
            WHEN r.code = 'on_tekun' THEN (ev.day - interval '1 month')::date
            WHEN r.code IN ('no_dibao_or_marginal', 'no_dibao_or_dispersed_tekun') THEN ev.day
            ELSE date_trunc('month', ev.day)::date END AS stop_end_dated,
       jsonb_strip_nulls(jsonb_build_object('date', ev.day)) AS facts
FROM pe_diag_in d
JOIN people_person p ON p.id = d.person_id
LEFT JOIN pe_support sp ON sp.person_id = d.person_id
LEFT JOIN pe_cert c ON c.person_id = d.person_id
LEFT JOIN pe_cert_severe cs ON cs.person_id = d.person_id
LEFT JOIN pe_child ch ON ch.person_id = d.person_id
LEFT JOIN LATERAL (SELECT max(x.valid_until) AS last_until FROM people_disabilitycertificate x
                   WHERE x.person_id = d.person_id AND x.valid_until < %(today)s) lc
       ON d.programme IN ('disability_living', 'disability_nursing')
LEFT JOIN LATERAL (SELECT max(x.ended_on) AS last_ended FROM pensions_childwelfarerecord x
                   WHERE x.person_id = d.person_id AND x.ended_on < %(today)s) lr
       ON d.programme = 'orphan'
LEFT JOIN LATERAL (
    SELECT max(en.end_period) FILTER (WHERE en.programme_id IN ('dibao', 'dibao_marginal')) AS dm_end,
           max(en.end_period) FILTER (WHERE en.programme_id = 'dibao'
               OR (en.programme_id = 'tekun' AND en.payee_person_id IS NOT NULL)) AS es_end
    FROM benefits_entitlement en
    WHERE en.status IN ('active', 'ended') AND en.end_period < %(p0)s
      AND en.programme_id IN ('dibao', 'dibao_marginal', 'tekun')
      AND (en.person_id = d.person_id OR en.household_id = (
           SELECT hm.household_id FROM people_householdmember hm WHERE hm.person_id = d.person_id))
) ls ON d.programme IN ('disability_living', 'elderly_service')
CROSS JOIN LATERAL (SELECT
    CASE
      WHEN NOT EXISTS (SELECT 1 FROM pe_std s WHERE s.programme = d.programme) THEN 'no_standard'
      WHEN p.status <> 'alive' THEN 'deceased'
      WHEN d.programme = 'longevity' AND NOT p.local_hukou THEN 'no_local_hukou'
      WHEN d.programme = 'longevity' THEN 'outside_brackets'
      WHEN d.programme = 'elderly_service' AND p.birth_date > %(d80)s THEN 'under_80'
      WHEN d.programme = 'elderly_service' THEN 'no_dibao_or_dispersed_tekun'
      WHEN d.programme IN ('disability_living', 'disability_nursing') AND c.person_id IS NULL
           THEN 'no_valid_certificate'
      WHEN d.programme = 'disability_nursing' AND cs.person_id IS NULL THEN 'certificate_not_severe'
      WHEN d.programme = 'disability_living' AND coalesce(sp.tk_has, false) THEN 'on_tekun'
      WHEN d.programme = 'disability_living' AND NOT coalesce(sp.dm_has, false) THEN 'no_dibao_or_marginal'
      WHEN d.programme = 'orphan' AND p.birth_date <= %(d18)s THEN 'turns_18'
      WHEN d.programme = 'orphan' AND ch.person_id IS NULL THEN 'no_child_welfare_record'
      WHEN d.programme = 'orphan' AND NOT EXISTS (
           SELECT 1 FROM pe_std s WHERE s.programme = 'orphan' AND s.variant = ch.placement) THEN 'no_standard'
      ELSE 'not_eligible'
    END AS code) r
CROSS JOIN LATERAL (SELECT
    CASE r.code
      WHEN 'deceased' THEN p.date_of_death
      WHEN 'turns_18' THEN (p.birth_date + make_interval(years => %(adult_age)s))::date
      WHEN 'no_valid_certificate' THEN lc.last_until
      WHEN 'no_child_welfare_record' THEN lr.last_ended
      WHEN 'on_tekun' THEN sp.tk_s
      WHEN 'no_dibao_or_marginal' THEN ls.dm_end
      WHEN 'no_dibao_or_dispersed_tekun' THEN ls.es_end
    END AS day) ev

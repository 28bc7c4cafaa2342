-- An annual grant due in this run: everyone in the bracket at some time in the grant's month (lo
-- reached by its last day) without that year's grant.
INSERT INTO pe_prop
SELECT t.person_id, 'longevity', 'grant', %(g_variant)s, %(g_period)s, NULL, NULL, t.person_id, NULL,
       %(g_amount)s, 'annual_grant', jsonb_build_object('bracket', %(g_bracket)s, 'year', %(g_year)s),
       'grant:' || %(g_variant)s || ':' || %(g_year)s
FROM pe_target t JOIN people_person p ON p.id = t.person_id
WHERE t.programme = 'longevity' AND p.birth_date <= %(g_max_birth)s
  AND (%(g_min_birth)s::date IS NULL OR p.birth_date > %(g_min_birth)s::date)
  AND NOT EXISTS (SELECT 1 FROM benefits_grant g
                  WHERE g.source = 'pensions.longevity-grant:' || t.person_id || ':' || %(g_year)s)

-- pe_payee: who receives the allowance of a target person who is a minor or has no account of his
-- own: the household's guardian with an account, as a bureau pays it (the head first, then the
-- spouse, a parent, a grandparent, then any other adult member). A person without such a member has
-- no row: he stays the payee, and his line is held until an account is given.
SELECT DISTINCT ON (p.id) p.id AS person_id, gp.id AS guardian_id
FROM (SELECT DISTINCT person_id FROM pe_target
      WHERE payee_person_id = person_id AND payee_institution_id IS NULL) x
JOIN people_person p ON p.id = x.person_id
JOIN people_householdmember hm ON hm.person_id = p.id
JOIN people_householdmember gm ON gm.household_id = hm.household_id AND gm.person_id <> p.id
JOIN people_person gp ON gp.id = gm.person_id
WHERE (p.birth_date > %(d18)s OR p.bank_account = '')
  AND gp.status = 'alive' AND gp.birth_date <= %(d18)s AND gp.bank_account <> ''
ORDER BY p.id, coalesce(array_position(ARRAY['head', 'spouse', 'parent', 'grandparent'], gm.relation::text), 5), gp.id

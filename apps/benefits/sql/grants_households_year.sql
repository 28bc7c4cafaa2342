-- Distinct households granted 临时救助 in the months %(first)s..%(last)s (a person outside any
-- household counts as a household of one); cancelled grants left out.
SELECT count(DISTINCT coalesce(g.household_id, hm.household_id, -g.person_id))
FROM benefits_grant g
LEFT JOIN people_householdmember hm ON hm.person_id = g.person_id
WHERE g.period BETWEEN %(first)s AND %(last)s
  AND g.status <> 'cancelled'
  AND g.programme_id = 'temporary'

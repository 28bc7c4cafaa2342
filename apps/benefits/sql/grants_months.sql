-- One-off grants per month and programme (the month the grant is for), cancelled ones left out:
-- each grant is one person-time; households are the distinct households granted that month.
SELECT g.period, g.programme_id, count(*) AS grants,
       count(DISTINCT coalesce(g.household_id, hm.household_id, -g.person_id)) AS households
FROM benefits_grant g
LEFT JOIN people_householdmember hm ON hm.person_id = g.person_id
WHERE g.period BETWEEN %(first)s AND %(last)s
  AND g.status <> 'cancelled'
  AND g.programme_id IN ('temporary', 'funeral_waiver', 'eco_burial')
GROUP BY g.period, g.programme_id
ORDER BY g.period, g.programme_id

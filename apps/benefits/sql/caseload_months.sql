-- Caseload per month and programme from the entitlements' periods, for the months %(first)s..%(last)s.
-- A beneficiary (the household of a household programme, else the person) is on a programme in a
-- month when an entitlement of it covers the month (start_period ≤ month ≤ end_period; stopped ones
-- keep the months they paid, suspended ones count for none). New in month P: on it in P, not in P−1
-- (P is the first month paid); stopped in P: on it in P, not in P+1 (P is the last month paid, as a
-- stop "from the month after P" or a death in P records it). A fact change (one entitlement ended,
-- the next opened the month after) is therefore neither new nor stopped.
WITH months AS (
    SELECT generate_series(%(before)s::date, %(after)s::date, interval '1 month')::date AS period
),
bm AS (
    SELECT m.period, e.programme_id,
           CASE WHEN e.household_id IS NOT NULL THEN e.household_id ELSE -e.person_id END AS beneficiary,
           -- A person outside any household counts as a household of one.
           max(coalesce(e.household_id, hm.household_id, -e.person_id)) AS household,
           max(CASE WHEN e.household_id IS NULL THEN 1
                    ELSE coalesce(e.covered_members,
                                  (SELECT count(*) FROM people_householdmember x WHERE x.household_id = e.household_id))
               END) AS persons
    FROM benefits_entitlement e
    JOIN months m ON m.period BETWEEN e.start_period AND coalesce(e.end_period, 'infinity'::date)
    LEFT JOIN people_householdmember hm ON hm.person_id = e.person_id
    WHERE e.status IN ('active', 'stopped')
      AND e.start_period <= %(after)s
      AND coalesce(e.end_period, 'infinity'::date) >= %(before)s
    GROUP BY 1, 2, 3
),
flows AS (
    SELECT b.period, b.programme_id, 'active' AS flow, b.household, b.persons
    FROM bm b WHERE b.period BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT b.period, b.programme_id, 'new', b.household, b.persons
    FROM bm b
    WHERE b.period BETWEEN %(first)s AND %(last)s
      AND NOT EXISTS (SELECT 1 FROM bm p WHERE p.period = (b.period - interval '1 month')::date
                        AND p.programme_id = b.programme_id AND p.beneficiary = b.beneficiary)
    UNION ALL
    SELECT p.period, p.programme_id, 'stopped', p.household, p.persons
    FROM bm p
    WHERE p.period BETWEEN %(first)s AND %(last)s
      AND NOT EXISTS (SELECT 1 FROM bm b WHERE b.period = (p.period + interval '1 month')::date
                        AND b.programme_id = p.programme_id AND b.beneficiary = p.beneficiary)
)
SELECT period, programme_id, flow, count(*) AS beneficiaries, count(DISTINCT household) AS households,
       sum(persons) AS persons
FROM flows
GROUP BY period, programme_id, flow
ORDER BY period, programme_id, flow

-- Caseload per month and programme from the entitlements' periods, for the months %(first)s..%(last)s.
-- A beneficiary (the household of a household programme, else the person) is on a programme in a
-- month when an entitlement of it covers the month (start_period ≤ month ≤ end_period; stopped ones
-- keep the months they paid, suspended ones count for none). Its consecutive entitlements (a fact
-- change ends one and opens the next the month after) form one spell: new in month P = a spell's
-- first month is P (not paid in P−1); stopped in P = a spell's last month is P (not paid in P+1: a
-- stop "from the month after P", a death in P). Spells are found by window functions over each
-- beneficiary's entitlements, not by joining month rows to month rows.
WITH e AS (
    SELECT e.programme_id,
           CASE WHEN e.household_id IS NOT NULL THEN e.household_id ELSE -e.person_id END AS beneficiary,
           -- A person outside any household counts as a household of one.
           coalesce(e.household_id, hm.household_id, -e.person_id) AS household,
           -- The members are counted only where the entitlement does not say whom it covers.
           CASE WHEN e.household_id IS NULL THEN 1
                ELSE coalesce(e.covered_members,
                              nullif((SELECT count(*) FROM people_householdmember hs
                                      WHERE hs.household_id = e.household_id), 0),
                              1) END AS persons,
           e.start_period AS s,
           coalesce(e.end_period, 'infinity'::date) AS t
    FROM benefits_entitlement e
    LEFT JOIN people_householdmember hm ON hm.person_id = e.person_id
    WHERE e.status IN ('active', 'stopped')
      AND e.start_period <= %(after)s
      AND coalesce(e.end_period, 'infinity'::date) >= %(before)s
),
marked AS (
    SELECT e.*,
           -- 1 where a spell begins: no earlier entitlement of the beneficiary reaches the month before.
           CASE WHEN max(t) OVER w >= (s - interval '1 month')::date THEN 0 ELSE 1 END AS begins
    FROM e
    WINDOW w AS (PARTITION BY programme_id, beneficiary ORDER BY s, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
numbered AS (
    SELECT m.*, sum(begins) OVER (PARTITION BY programme_id, beneficiary ORDER BY s, t) AS spell
    FROM marked m
),
spells AS (
    SELECT programme_id, beneficiary, max(household) AS household, min(s) AS first_month, max(t) AS last_month,
           -- A beneficiary that is its own household: a household programme's, a person in none.
           bool_and(household = beneficiary) AS own,
           -- The spell's first entitlement (by s, t) is the one row that begins it.
           max(persons) FILTER (WHERE begins = 1) AS persons_first,
           -- Its last by (t, s): the greatest [t, s, persons] (days since 2000, infinity above all).
           -- Plain aggregates: array_agg(… ORDER BY …) sorted every spell on its own (half the time).
           (max(ARRAY[CASE WHEN t = 'infinity' THEN 2147483647 ELSE t - DATE '2000-01-01' END,
                      s - DATE '2000-01-01', persons]))[3] AS persons_last
    FROM numbered
    GROUP BY programme_id, beneficiary, spell
),
-- The same spells per (programme, household): a household is on a person programme (特困, 高龄津贴 …)
-- while any of its members is. A beneficiary that is its own household (own) has its spells as its
-- household's, unless the household holds a member's person entitlement of the programme too
-- (shared): those pairs' spells are worked out again from all their entitlements (hh_spells), and
-- their own beneficiary's spells taken back (doubled). A beneficiary's rows are all its own
-- household's or all not: a person's rows are repeated for each household of theirs.
shared AS (
    SELECT DISTINCT programme_id, household FROM e WHERE household <> beneficiary
),
hh_spells AS (
    SELECT programme_id, household, min(s) AS first_month, max(t) AS last_month
    FROM (SELECT programme_id, household, s, t,
                 sum(begins) OVER (PARTITION BY programme_id, household ORDER BY s, t) AS spell
          FROM (SELECT programme_id, household, s, t,
                       CASE WHEN max(t) OVER (PARTITION BY programme_id, household ORDER BY s, t
                                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                                 >= (s - interval '1 month')::date THEN 0 ELSE 1 END AS begins
                FROM e JOIN shared USING (programme_id, household)
                -- Without any shared pair (often) nothing below is run, the entitlements not sorted again.
                WHERE EXISTS (SELECT FROM shared)) x) y
    GROUP BY programme_id, household, spell
),
doubled AS (
    SELECT s.programme_id, s.first_month, s.last_month
    FROM spells s JOIN shared x ON x.programme_id = s.programme_id AND x.household = s.beneficiary
    WHERE s.own AND EXISTS (SELECT FROM shared)
),
-- Month by month by differences, never one row per entitlement and month: +1 where a spell (or an
-- entitlement, for persons) begins in the window, −1 the month after it ends, then a running sum.
deltas AS (
    SELECT programme_id, greatest(first_month, %(first)s) AS period, 1 AS b, CASE WHEN own THEN 1 ELSE 0 END AS h,
           0 AS p
    FROM spells WHERE first_month <= %(last)s AND last_month >= %(first)s
    UNION ALL
    SELECT programme_id, (last_month + interval '1 month')::date, -1, CASE WHEN own THEN -1 ELSE 0 END, 0
    FROM spells WHERE last_month >= %(first)s AND last_month < %(last)s
    UNION ALL
    SELECT programme_id, greatest(first_month, %(first)s), 0, 1, 0
    FROM hh_spells WHERE first_month <= %(last)s AND last_month >= %(first)s
    UNION ALL
    SELECT programme_id, (last_month + interval '1 month')::date, 0, -1, 0
    FROM hh_spells WHERE last_month >= %(first)s AND last_month < %(last)s
    UNION ALL
    SELECT programme_id, greatest(first_month, %(first)s), 0, -1, 0
    FROM doubled WHERE first_month <= %(last)s AND last_month >= %(first)s
    UNION ALL
    SELECT programme_id, (last_month + interval '1 month')::date, 0, 1, 0
    FROM doubled WHERE last_month >= %(first)s AND last_month < %(last)s
    UNION ALL
    SELECT programme_id, greatest(s, %(first)s), 0, 0, persons
    FROM e WHERE s <= %(last)s AND t >= %(first)s
    UNION ALL
    SELECT programme_id, (t + interval '1 month')::date, 0, 0, -persons
    FROM e WHERE t >= %(first)s AND t < %(last)s
),
d AS (
    SELECT programme_id, period, sum(b) AS b, sum(h) AS h, sum(p) AS p FROM deltas GROUP BY 1, 2
),
months AS (
    SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 month')::date AS period
),
running AS (
    SELECT m.period, pr.programme_id,
           sum(coalesce(d.b, 0)) OVER w AS beneficiaries, sum(coalesce(d.h, 0)) OVER w AS households,
           sum(coalesce(d.p, 0)) OVER w AS persons
    FROM months m
    -- The programmes with a spell in the window (any other has no month to show).
    CROSS JOIN (SELECT DISTINCT programme_id FROM d) pr
    LEFT JOIN d ON d.programme_id = pr.programme_id AND d.period = m.period
    WINDOW w AS (PARTITION BY pr.programme_id ORDER BY m.period)
),
active AS (
    SELECT period, programme_id, 'active' AS flow, beneficiaries, households, persons
    FROM running WHERE beneficiaries > 0
),
flows AS (
    SELECT first_month AS period, programme_id, 'new' AS flow, count(*) AS beneficiaries,
           count(DISTINCT household) AS households, sum(persons_first) AS persons
    FROM spells WHERE first_month BETWEEN %(first)s AND %(last)s
    GROUP BY first_month, programme_id
    UNION ALL
    SELECT last_month, programme_id, 'stopped', count(*), count(DISTINCT household), sum(persons_last)
    FROM spells WHERE last_month BETWEEN %(first)s AND %(last)s
    GROUP BY last_month, programme_id
)
SELECT period, programme_id, flow, beneficiaries, households, persons FROM active
UNION ALL
SELECT period, programme_id, flow, beneficiaries, households, persons FROM flows
ORDER BY 1, 2, 3

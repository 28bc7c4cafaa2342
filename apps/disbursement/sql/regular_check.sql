-- One chunk of entitlements (ids lo..hi) paying in the period, counted: all, without a standard in
-- force, with a zero amount, and to insert. The placeholders add, for a period that already has
-- lines, a join on the unique key so that the last three count only the keys still missing (an
-- entitlement with its line is paid, whatever its standard now): a chunk with nothing missing is
-- skipped without pricing or joining anything.
WITH periods AS (SELECT %(period)s::date AS period),
{rates}
SELECT count(*),
       count(*) FILTER (WHERE r.monthly IS NULL {missing}),
       count(*) FILTER (WHERE r.monthly IS NOT NULL AND {amount} <= 0 {missing}),
       count(*) FILTER (WHERE r.monthly IS NOT NULL AND {amount} > 0 {missing})
FROM benefits_entitlement e
LEFT JOIN rate r ON r.programme_id = e.programme_id
                AND r.variant = CASE WHEN e.programme_id = 'tekun_care' THEN e.care_level ELSE e.variant END
{existing}
WHERE e.id BETWEEN %(lo)s AND %(hi)s
  AND (e.status = 'active' OR (e.status IN ('stopped', 'ended') AND e.end_period IS NOT NULL))
  AND e.start_period <= %(period)s
  AND (e.end_period IS NULL OR e.end_period >= %(period)s)
  AND e.programme_id = ANY(%(programmes)s)

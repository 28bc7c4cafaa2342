-- The keys of every regular chunk of a refresh at once: per chunk (its place among the chunks' first
-- ids, %(lows)s), the entitlements paying in the period and how many of them have no regular line of
-- the period. One anti-join over every key, hashed: reading the month's lines in one pass costs a
-- fraction of probing the unique index once per entitlement, chunk by chunk. The lines are a
-- subquery so that their period, type and variant are fixed before the join, not under it.
SELECT width_bucket(e.id, %(lows)s::bigint[]), count(*), count(*) FILTER (WHERE x.key_ref IS NULL)
FROM benefits_entitlement e
LEFT JOIN (SELECT key_ref, programme_id FROM disbursement_paymentline
           WHERE period = %(period)s AND line_type = 'regular' AND key_variant = 0) x
       ON x.key_ref = e.id AND x.programme_id = e.programme_id
WHERE e.id BETWEEN %(lo)s AND %(hi)s
  AND (e.status = 'active' OR (e.status IN ('stopped', 'ended') AND e.end_period IS NOT NULL))
  AND e.start_period <= %(period)s
  AND (e.end_period IS NULL OR e.end_period >= %(period)s)
  AND e.programme_id = ANY(%(programmes)s)
GROUP BY 1

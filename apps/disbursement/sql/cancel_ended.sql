-- Pending lines of generated (not yet approved) runs that their entitlement no longer pays — a
-- death or a stop recorded after generation — are cancelled, each with an event, and taken off
-- their run's totals. Lines of approved runs are left to the bank: once paid they are on the
-- recovery (追回) list. Returns the lines and the amount cancelled.
WITH gone AS (
    UPDATE disbursement_paymentline l
    SET status = 'cancelled', failure_reason = left(%(reason)s, 100)
    FROM benefits_entitlement e, disbursement_paymentrun r
    WHERE l.entitlement_id = e.id AND r.id = l.run_id AND r.status = 'generated' AND l.status = 'pending'
      AND l.line_type IN ('regular', 'arrears')
      AND (l.period < e.start_period
           OR (e.end_period IS NOT NULL AND l.period > e.end_period)
           OR (e.end_period IS NULL AND e.status IN ('stopped', 'ended')))
    RETURNING l.id, l.run_id, l.amount
), events AS (
    INSERT INTO disbursement_paymentlineevent (line_id, from_status, to_status, at, by_id, note)
    SELECT id, 'pending', 'cancelled', now(), NULL, left(%(reason)s, 200) FROM gone
    RETURNING 1
), runs AS (
    UPDATE disbursement_paymentrun r
    SET line_count = r.line_count - g.n, total_amount = r.total_amount - g.amount
    FROM (SELECT run_id, count(*) AS n, sum(amount) AS amount FROM gone GROUP BY run_id) g
    WHERE r.id = g.run_id
    RETURNING 1
)
SELECT count(*), coalesce(sum(amount), 0), (SELECT count(*) FROM events), (SELECT count(*) FROM runs) FROM gone

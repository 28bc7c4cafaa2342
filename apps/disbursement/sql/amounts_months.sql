-- Amounts per month and programme, by the month of the run that carried the line (cash basis: an
-- arrears line for March paid in the July run is July's money; a re-issue is in the supplementary run
-- of the month it pays). Generated: every line not cancelled; paid / failed: the bank's result.
SELECT r.period, l.programme_id,
       coalesce(sum(l.amount) FILTER (WHERE l.status <> 'cancelled'), 0) AS generated,
       coalesce(sum(l.amount) FILTER (WHERE l.status = 'paid'), 0) AS paid,
       coalesce(sum(l.amount) FILTER (WHERE l.status = 'failed'), 0) AS failed
FROM disbursement_paymentrun r
JOIN disbursement_paymentline l ON l.run_id = r.id
WHERE r.period BETWEEN %(first)s AND %(last)s
GROUP BY r.period, l.programme_id
ORDER BY r.period, l.programme_id

-- Paid lines of the runs of the months %(first)s..%(last)s per programme and variant: the amount,
-- the lines (one person-time each: a monthly payment to a person) and, for 低保, the person-months
-- paid (covered members of the regular lines and their re-issues; arrears top up months already
-- counted, so they add money and no person-month).
SELECT l.programme_id, l.variant,
       sum(l.amount) AS paid,
       count(*) FILTER (WHERE l.line_type IN ('regular', 'reissue', 'grant')) AS payments,
       coalesce(sum(coalesce(l.covered_members, 0)) FILTER (WHERE l.line_type IN ('regular', 'reissue')), 0)
           AS person_months
FROM disbursement_paymentrun r
JOIN disbursement_paymentline l ON l.run_id = r.id
WHERE r.period BETWEEN %(first)s AND %(last)s
  AND l.status = 'paid'
GROUP BY l.programme_id, l.variant
ORDER BY l.programme_id, l.variant

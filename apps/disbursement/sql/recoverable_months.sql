-- The recovery (追回) list's amounts per month the money was for and programme.
SELECT l.period, l.programme_id, sum(l.amount)
FROM disbursement_paymentline l
WHERE l.id IN ({recoverable})
  AND l.period BETWEEN %(first)s AND %(last)s
GROUP BY l.period, l.programme_id

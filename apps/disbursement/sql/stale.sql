-- How many line bases were computed on a standard that is no longer the one in force (arrears due).
WITH periods AS (SELECT DISTINCT period FROM disbursement_linebasis WHERE period <= %(period)s),
{rates}
SELECT count(*)
FROM disbursement_linebasis b
JOIN rate r ON r.period = b.period AND r.programme_id = b.programme AND r.variant = b.variant
WHERE b.period <= %(period)s
  AND r.monthly IS NOT NULL
  AND r.monthly <> coalesce(b.checked_amount, b.standard_amount)

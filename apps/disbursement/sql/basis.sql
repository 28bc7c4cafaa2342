-- The (programme, variant, month, standard) bases regular lines of the period are computed on: every
-- standard in force, recorded with the chunk that uses it (arrears compare them with the standards
-- in force later).
WITH periods AS (SELECT %(period)s::date AS period),
{rates}
INSERT INTO disbursement_linebasis (programme, variant, period, standard_amount)
SELECT programme_id, variant, period, monthly FROM rate WHERE monthly IS NOT NULL
ON CONFLICT DO NOTHING

-- pe_std: the programmes/variants the bureau has standards for, and the first month of each.
SELECT programme_id AS programme, variant, date_trunc('month', min(effective_from))::date AS first_month
FROM benefits_standard WHERE programme_id = ANY(%(programmes)s) GROUP BY programme_id, variant

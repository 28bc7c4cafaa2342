-- 高龄津贴: local hukou, alive, in a bracket; from the month after the birthday reaching it.
INSERT INTO pe_target
SELECT p.id, 'longevity', b.variant,
       greatest((date_trunc('month', r.reached) + interval '1 month')::date, s.first_month), NULL, NULL,
       p.id, NULL, 'age_bracket', jsonb_build_object('bracket', b.variant, 'date', r.reached)
FROM pe_bracket b
JOIN people_person p ON p.birth_date <= b.max_birth AND (b.min_birth IS NULL OR p.birth_date > b.min_birth)
JOIN pe_std s ON s.programme = 'longevity' AND s.variant = b.variant
CROSS JOIN LATERAL (SELECT (p.birth_date + make_interval(years => b.lo))::date AS reached) r
WHERE p.status = 'alive' AND p.local_hukou{only}

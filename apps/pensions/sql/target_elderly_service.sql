-- 经济困难高龄老年人服务补贴: 80 or older, on dibao or 分散特困; ends with that support.
INSERT INTO pe_target
SELECT p.id, 'elderly_service', 'unified',
       greatest((date_trunc('month', r.turned) + interval '1 month')::date, sp.es_s, s.first_month), sp.es_e,
       CASE WHEN sp.es_e IS NOT NULL THEN 'support_ends' END,
       p.id, NULL, 'elderly_on_assistance', jsonb_build_object('date', r.turned)
FROM pe_support sp
JOIN people_person p ON p.id = sp.person_id
JOIN pe_std s ON s.programme = 'elderly_service' AND s.variant = 'unified'
CROSS JOIN LATERAL (SELECT (p.birth_date + make_interval(years => %(elderly_age)s))::date AS turned) r
WHERE sp.es_has AND p.status = 'alive' AND p.birth_date <= %(d80)s{only}

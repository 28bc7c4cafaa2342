-- 困难残疾人生活补贴: a valid certificate in a dibao / 低保边缘 household, never with 特困.
INSERT INTO pe_target
SELECT p.id, 'disability_living', 'unified',
       greatest((date_trunc('month', c.valid_from) + interval '1 month')::date, sp.dm_s, s.first_month),
       least(date_trunc('month', c.valid_until)::date, sp.dm_e),
       CASE WHEN sp.dm_e IS NOT NULL AND (c.valid_until IS NULL OR sp.dm_e < date_trunc('month', c.valid_until)::date)
            THEN 'support_ends'
            WHEN c.valid_until IS NOT NULL THEN 'certificate_expires' END,
       p.id, NULL, 'certificate_on_assistance', jsonb_build_object('level', c.level, 'date', c.valid_from)
FROM pe_cert c
JOIN pe_support sp ON sp.person_id = c.person_id AND sp.dm_has AND NOT sp.tk_has
JOIN people_person p ON p.id = c.person_id
JOIN pe_std s ON s.programme = 'disability_living' AND s.variant = 'unified'
WHERE p.status = 'alive'{only}

-- 重度残疾人护理补贴: a valid level 1-2 certificate, whatever the income; ends with the certificate.
INSERT INTO pe_target
SELECT p.id, 'disability_nursing', 'unified',
       greatest((date_trunc('month', c.valid_from) + interval '1 month')::date, s.first_month),
       date_trunc('month', c.valid_until)::date,
       CASE WHEN c.valid_until IS NOT NULL THEN 'certificate_expires' END,
       p.id, NULL, 'severe_certificate', jsonb_build_object('level', c.level, 'date', c.valid_from)
FROM pe_cert_severe c
JOIN people_person p ON p.id = c.person_id
JOIN pe_std s ON s.programme = 'disability_nursing' AND s.variant = 'unified'
WHERE p.status = 'alive'{only}

-- 孤儿 / 事实无人抚养儿童: the placement's standard until the month of the 18th birthday.
INSERT INTO pe_target
SELECT p.id, 'orphan', r.placement, greatest((date_trunc('month', r.since) + interval '1 month')::date, s.first_month),
       least(date_trunc('month', a.adult)::date, date_trunc('month', r.ended_on)::date),
       CASE WHEN r.ended_on IS NOT NULL AND date_trunc('month', r.ended_on) < date_trunc('month', a.adult)
            THEN 'record_ends' ELSE 'turns_18' END,
       CASE WHEN r.placement = 'institutional' AND r.institution_id IS NOT NULL THEN NULL
            ELSE coalesce(r.guardian_id, p.id) END,
       CASE WHEN r.placement = 'institutional' THEN r.institution_id END,
       'child_welfare', jsonb_build_object('kind', r.kind, 'date', r.since)
FROM pe_child r
JOIN people_person p ON p.id = r.person_id
JOIN pe_std s ON s.programme = 'orphan' AND s.variant = r.placement
CROSS JOIN LATERAL (SELECT (p.birth_date + make_interval(years => %(adult_age)s))::date AS adult) a
WHERE p.status = 'alive' AND p.birth_date > %(d18)s{only}

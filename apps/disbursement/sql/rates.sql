-- Monthly standards in force in each period of `periods`, per (programme, variant):
-- the row with the latest effective_from on or before the period's first day; a yearly amount
-- counts as round(amount / 12, 2) a month (round() on numeric is half away from zero = HALF_UP).
std AS (
    SELECT DISTINCT ON (pr.period, s.programme_id, s.variant)
           pr.period, s.programme_id, s.variant,
           CASE WHEN s.unit = 'year' THEN round(s.amount / 12, 2) ELSE s.amount END AS monthly
    FROM periods pr
    JOIN benefits_standard s ON s.effective_from <= pr.period
    ORDER BY pr.period, s.programme_id, s.variant, s.effective_from DESC
),
-- 特困 basic standard of a class: explicit for the class, else explicit unified, never below the
-- floor ceil(multiplier × dibao standard of the class, else of unified) to the whole yuan (greatest()
-- skips a missing side: no explicit standard gives the floor, no dibao standard the explicit one).
tekun_class AS (
    SELECT pr.period, c.variant
    FROM periods pr CROSS JOIN (VALUES ('unified'), ('urban'), ('rural')) AS c(variant)
    UNION
    SELECT period, variant FROM std WHERE programme_id = 'tekun'
),
rate AS (
    SELECT period, programme_id, variant, monthly FROM std WHERE programme_id <> 'tekun'
    UNION ALL
    SELECT tc.period, 'tekun', tc.variant,
           greatest(coalesce(t.monthly, tu.monthly), ceil(%(multiplier)s * coalesce(d.monthly, du.monthly)))
    FROM tekun_class tc
    LEFT JOIN std t ON t.period = tc.period AND t.programme_id = 'tekun' AND t.variant = tc.variant
    LEFT JOIN std tu ON tu.period = tc.period AND tu.programme_id = 'tekun' AND tu.variant = 'unified'
    LEFT JOIN std d ON d.period = tc.period AND d.programme_id = 'dibao' AND d.variant = tc.variant
    LEFT JOIN std du ON du.period = tc.period AND du.programme_id = 'dibao' AND du.variant = 'unified'
),

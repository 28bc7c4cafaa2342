-- 差额补发: months already paid on a standard that has since changed retroactively.
-- A "stale" basis is a (programme, variant, month, standard) some regular line was computed with
-- whose standard in force now differs from the one arrears were last generated up to. For each
-- regular line on a stale basis whose entitlement still pays in that month:
--   new amount = the formula on the standard now in force and the facts the line was paid on;
--   difference = new amount − (the month's regular line + arrears lines already made);
-- > 0 becomes one arrears line, keyed by the target amount in cents so a month reaches each target
-- at most once; < 0 is listed as an overpayment (never recovered automatically). The bases are then
-- marked checked up to the new standard, in the same statement.
WITH periods AS (
    SELECT DISTINCT period FROM disbursement_linebasis WHERE period <= %(period)s
),
{rates},
stale AS (
    SELECT b.id AS basis_id, b.programme, b.variant, b.period, b.standard_amount, r.monthly AS new_standard
    FROM disbursement_linebasis b
    JOIN rate r ON r.period = b.period AND r.programme_id = b.programme AND r.variant = b.variant
    WHERE b.period <= %(period)s
      AND r.monthly IS NOT NULL
      AND r.monthly <> coalesce(b.checked_amount, b.standard_amount)
),
base AS (
    SELECT l.key_ref, l.entitlement_id, l.programme_id, l.period, l.variant, l.town_id,
           l.per_capita_income, l.covered_members, l.addon_members, s.new_standard,
           {amount} AS new_amount
    FROM disbursement_paymentline l
    JOIN stale s ON s.period = l.period AND s.programme = l.programme_id AND s.variant = l.variant
                AND s.standard_amount = l.standard_amount
    WHERE l.line_type = 'regular' AND l.status <> 'cancelled'
      AND l.run_id IN (SELECT r.id FROM disbursement_paymentrun r WHERE r.period IN (SELECT period FROM stale))
),
diff AS (
    SELECT b.*, e.payee_person_id, e.payee_institution_id, e.household_id, e.person_id,
           b.new_amount - (
               SELECT sum(x.amount) FROM disbursement_paymentline x
               WHERE x.key_ref = b.key_ref AND x.period = b.period AND x.programme_id = b.programme_id
                 AND x.line_type IN ('regular', 'arrears') AND x.status <> 'cancelled'
           ) AS difference
    FROM base b
    JOIN benefits_entitlement e ON e.id = b.entitlement_id
    WHERE (e.status = 'active' OR (e.status IN ('stopped', 'ended') AND e.end_period IS NOT NULL))
      AND e.start_period <= b.period AND (e.end_period IS NULL OR e.end_period >= b.period)
),
ins AS (
    INSERT INTO disbursement_paymentline (
        run_id, programme_id, line_type, key_ref, key_variant, period, entitlement_id,
        household_id, person_id, payee_person_id, payee_institution_id,
        payee_name, id_number, bank_account, bank_name, town_id,
        variant, standard_amount, per_capita_income, covered_members, addon_members,
        amount, status, failure_reason, bank_reference)
    SELECT %(run)s, d.programme_id, 'arrears', d.key_ref, (d.new_amount * 100)::bigint, d.period, d.entitlement_id,
           d.household_id, d.person_id, d.payee_person_id, d.payee_institution_id,
           coalesce(pp.name, ci.name, ''), coalesce(pp.id_number, ''),
           coalesce(pp.bank_account, ci.bank_account, ''), coalesce(pp.bank_name, ci.bank_name, ''), d.town_id,
           d.variant, d.new_standard, d.per_capita_income, d.covered_members, d.addon_members,
           d.difference,
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, '') = '' THEN 'held' ELSE 'pending' END,
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, '') = '' THEN 'no_account' ELSE '' END, ''
    FROM diff d
    LEFT JOIN people_person pp ON pp.id = d.payee_person_id
    LEFT JOIN people_careinstitution ci ON ci.id = d.payee_institution_id
    WHERE d.difference > 0
    ON CONFLICT DO NOTHING
    RETURNING amount, status
),
over AS (
    INSERT INTO disbursement_overpayment (entitlement_id, programme, period, paid_amount, new_amount, town_id,
                                          found_in_run_id, created_at)
    SELECT d.entitlement_id, d.programme_id, d.period, d.new_amount - d.difference, d.new_amount, d.town_id,
           %(run)s, now()
    FROM diff d
    WHERE d.difference < 0
    ON CONFLICT DO NOTHING
    RETURNING 1
),
mark AS (
    UPDATE disbursement_linebasis b SET checked_amount = s.new_standard
    FROM stale s WHERE b.id = s.basis_id
    RETURNING 1
)
{totals}, (SELECT count(*) FROM base), (SELECT count(*) FROM over), (SELECT count(*) FROM mark)
FROM ins

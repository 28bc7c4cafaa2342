-- One chunk of pending one-off grants (ids lo..hi) for this period or earlier, each inserted once:
-- a grant already in a line (paid, held or not) is never picked up again; without an account, held.
WITH cand AS (
    SELECT g.*
    FROM benefits_grant g
    WHERE g.id BETWEEN %(lo)s AND %(hi)s
      AND g.status = 'pending' AND g.period <= %(period)s AND g.amount > 0
      AND g.programme_id = ANY(%(programmes)s)
),
ins AS (
    INSERT INTO disbursement_paymentline (
        run_id, programme_id, line_type, key_ref, key_variant, period, grant_id,
        household_id, person_id, payee_person_id, payee_institution_id,
        payee_name, id_number, bank_account, bank_name, town_id,
        variant, amount, status, failure_reason, bank_reference)
    SELECT %(run)s, g.programme_id, 'grant', g.id, 0, g.period, g.id,
           g.household_id, g.person_id, g.payee_person_id, g.payee_institution_id,
           coalesce(pp.name, ci.name, g.payee_name), coalesce(pp.id_number, ''),
           coalesce(pp.bank_account, ci.bank_account, g.payee_account),
           coalesce(pp.bank_name, ci.bank_name, g.payee_bank),
           coalesce(h.town_id, bp.town_id, pp.town_id, ci.town_id),
           g.variant, g.amount,
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, g.payee_account, '') = '' THEN 'held' ELSE 'pending' END,
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, g.payee_account, '') = '' THEN 'no_account' ELSE '' END,
           ''
    FROM cand g
    LEFT JOIN people_person pp ON pp.id = g.payee_person_id
    LEFT JOIN people_careinstitution ci ON ci.id = g.payee_institution_id
    LEFT JOIN people_household h ON h.id = g.household_id
    LEFT JOIN people_person bp ON bp.id = g.person_id
    WHERE NOT EXISTS (
        SELECT 1 FROM disbursement_paymentline x
        WHERE x.key_ref = g.id AND x.period = g.period AND x.line_type = 'grant'
          AND x.programme_id = g.programme_id AND x.key_variant = 0 OFFSET 0)
    ON CONFLICT DO NOTHING
    RETURNING amount, status
)
{totals}, (SELECT count(*) FROM cand) FROM ins

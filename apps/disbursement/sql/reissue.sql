-- 补发: the failed lines of this period's runs whose payee's account details have been corrected
-- since (current name/account/bank differ from the snapshot the bank refused), into this run, with
-- the corrected details. key_variant = the failed line's id: each failed line is re-issued once.
WITH cand AS (
    SELECT l.*
    FROM disbursement_paymentline l
    WHERE l.status = 'failed'
      AND l.run_id IN (SELECT r.id FROM disbursement_paymentrun r WHERE r.period = %(period)s)
),
cur AS (
    SELECT c.*,
           coalesce(pp.name, ci.name, g.payee_name, c.payee_name) AS cur_name,
           coalesce(pp.id_number, c.id_number) AS cur_id_number,
           coalesce(pp.bank_account, ci.bank_account, g.payee_account, '') AS cur_account,
           coalesce(pp.bank_name, ci.bank_name, g.payee_bank, '') AS cur_bank
    FROM cand c
    LEFT JOIN people_person pp ON pp.id = c.payee_person_id
    LEFT JOIN people_careinstitution ci ON ci.id = c.payee_institution_id
    LEFT JOIN benefits_grant g ON g.id = c.grant_id AND c.payee_person_id IS NULL AND c.payee_institution_id IS NULL
),
ins AS (
    INSERT INTO disbursement_paymentline (
        run_id, programme_id, line_type, key_ref, key_variant, period, entitlement_id, grant_id, original_line_id,
        household_id, person_id, payee_person_id, payee_institution_id,
        payee_name, id_number, bank_account, bank_name, town_id,
        variant, standard_amount, per_capita_income, covered_members, addon_members,
        amount, status, failure_reason, bank_reference)
    SELECT %(run)s, c.programme_id, 'reissue', c.key_ref, c.id, c.period, c.entitlement_id, c.grant_id, c.id,
           c.household_id, c.person_id, c.payee_person_id, c.payee_institution_id,
           c.cur_name, c.cur_id_number, c.cur_account, c.cur_bank, c.town_id,
           c.variant, c.standard_amount, c.per_capita_income, c.covered_members, c.addon_members,
           c.amount, 'pending', '', ''
    FROM cur c
    WHERE c.cur_account <> ''
      AND (c.cur_account, c.cur_bank, c.cur_name) IS DISTINCT FROM (c.bank_account, c.bank_name, c.payee_name)
      AND NOT EXISTS (
          SELECT 1 FROM disbursement_paymentline x
          WHERE x.key_ref = c.key_ref AND x.period = c.period AND x.line_type = 'reissue'
            AND x.programme_id = c.programme_id AND x.key_variant = c.id OFFSET 0)
    ON CONFLICT DO NOTHING
    RETURNING amount
)
SELECT (SELECT count(*) FROM cand), count(*), coalesce(sum(amount), 0),
       (SELECT count(*) FROM cur WHERE cur_account = '' OR (cur_account, cur_bank, cur_name)
            IS NOT DISTINCT FROM (bank_account, bank_name, payee_name))
FROM ins

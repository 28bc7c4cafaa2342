-- 补发: the lines paying this month (whatever run carried them: a failed 2027-01 arrears line of the
-- 2027-03 run belongs to 2027-01) that the bank refused (failed) or that were never sent (held: no
-- account), into this run with the payee's current details: a failed line once its name/account/bank
-- differ from the snapshot the bank refused, a held line once its payee has an account.
-- key_variant = the original line's id: each line is re-issued once.
WITH {ready},
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
    FROM ready c
    WHERE c.corrected AND NOT c.reissued
    ON CONFLICT DO NOTHING
    RETURNING amount
)
SELECT (SELECT count(*) FROM cand WHERE status = 'failed'), (SELECT count(*) FROM cand WHERE status = 'held'),
       count(*), coalesce(sum(amount), 0),
       (SELECT count(*) FROM ready WHERE NOT corrected AND NOT reissued)
FROM ins

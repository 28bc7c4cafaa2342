-- The failed and held lines (of one month, or of every month: {scope}) and whether each is ready for
-- 补发: a failed line once its payee's name/account/bank differ from the snapshot the bank refused, a
-- held line once its payee has an account; and whether it was already re-issued (once per line).
cand AS (
    SELECT l.*
    FROM disbursement_paymentline l
    WHERE l.status IN ('failed', 'held') {scope}
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
ready AS (
    SELECT c.*,
           c.cur_account <> '' AND (c.status = 'held' OR (c.cur_account, c.cur_bank, c.cur_name)
                                    IS DISTINCT FROM (c.bank_account, c.bank_name, c.payee_name)) AS corrected,
           EXISTS (
               SELECT 1 FROM disbursement_paymentline x
               WHERE x.key_ref = c.key_ref AND x.period = c.period AND x.line_type = 'reissue'
                 AND x.programme_id = c.programme_id AND x.key_variant = c.id OFFSET 0) AS reissued
    FROM cur c
)

-- One chunk of regular lines: the entitlements with ids lo..hi that pay in the period, priced with
-- the standards in force, each inserted once. The anti-join placeholder is empty while the period
-- has no line yet (ON CONFLICT alone guards it) and a NOT EXISTS on the unique key otherwise:
-- skipping existing keys by anti-join is far cheaper than letting ON CONFLICT discover each of them.
-- A payee without a bank account gets a held line (status held, reason no_account): the key is taken, so
-- the month is paid once, by a supplementary run once the account is completed, never by the bank file.
WITH periods AS (SELECT %(period)s::date AS period),
{rates},
ins AS (
    INSERT INTO disbursement_paymentline (
        run_id, programme_id, line_type, key_ref, key_variant, period, entitlement_id,
        household_id, person_id, payee_person_id, payee_institution_id,
        payee_name, id_number, bank_account, bank_name, town_id,
        variant, standard_amount, per_capita_income, covered_members, addon_members,
        amount, status, failure_reason, bank_reference)
    SELECT %(run)s, e.programme_id, 'regular', e.id, 0, %(period)s, e.id,
           e.household_id, e.person_id, e.payee_person_id, e.payee_institution_id,
           coalesce(pp.name, ci.name, ''), coalesce(pp.id_number, ''),
           coalesce(pp.bank_account, ci.bank_account, ''), coalesce(pp.bank_name, ci.bank_name, ''),
           -- The beneficiary's town: the household's, else the person's (most often the payee).
           coalesce(CASE WHEN e.household_id IS NOT NULL
                         THEN (SELECT h.town_id FROM people_household h WHERE h.id = e.household_id) END,
                    CASE WHEN e.person_id = e.payee_person_id THEN pp.town_id END,
                    (SELECT b.town_id FROM people_person b WHERE b.id = e.person_id),
                    pp.town_id, ci.town_id),
           r.variant, r.monthly, e.per_capita_income, e.covered_members, e.addon_members,
           {amount},
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, '') = '' THEN 'held' ELSE 'pending' END,
           CASE WHEN coalesce(pp.bank_account, ci.bank_account, '') = '' THEN 'no_account' ELSE '' END, ''
    FROM benefits_entitlement e
    JOIN rate r ON r.programme_id = e.programme_id
               AND r.variant = CASE WHEN e.programme_id = 'tekun_care' THEN e.care_level ELSE e.variant END
    LEFT JOIN people_person pp ON pp.id = e.payee_person_id
    LEFT JOIN people_careinstitution ci ON ci.id = e.payee_institution_id
    WHERE e.id BETWEEN %(lo)s AND %(hi)s
      AND (e.status = 'active' OR (e.status IN ('stopped', 'ended') AND e.end_period IS NOT NULL))
      AND e.start_period <= %(period)s
      AND (e.end_period IS NULL OR e.end_period >= %(period)s)
      AND e.programme_id = ANY(%(programmes)s)
      AND r.monthly IS NOT NULL
      AND {amount} > 0
      {anti_join}
    ON CONFLICT DO NOTHING
    RETURNING amount, status
)
{totals} FROM ins

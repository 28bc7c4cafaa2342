-- Who receives a person's allowance: the person, if an adult with an account of his own, else the
-- guardian pe_payee names.
UPDATE pe_target t SET payee_person_id = g.guardian_id
FROM pe_payee g
WHERE t.person_id = g.person_id AND t.payee_person_id = t.person_id AND t.payee_institution_id IS NULL

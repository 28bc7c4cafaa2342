-- pe_prop: the changes that turn pe_current into pe_target: start, rebracket, stop, grant.
CREATE TEMP TABLE pe_prop (
    person_id bigint, programme text, action text, variant text, period date, end_period date,
    entitlement_id bigint, payee_person_id bigint, payee_institution_id bigint, amount numeric(12, 2),
    reason_code text, facts jsonb, key text
) ON COMMIT DROP

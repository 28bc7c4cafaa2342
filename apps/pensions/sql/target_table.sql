-- pe_target: who should be paid what: person, programme, variant, from (basis) and known end.
CREATE TEMP TABLE pe_target (
    person_id bigint, programme text, variant text, basis date, target_end date, end_reason text,
    payee_person_id bigint, payee_institution_id bigint, reason_code text, facts jsonb
) ON COMMIT DROP

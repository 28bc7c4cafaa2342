-- pe_cert / pe_cert_severe: per person, the best valid disability certificate ({severe}: level 1-2 only).
SELECT DISTINCT ON (person_id) person_id, level, valid_from, valid_until
FROM people_disabilitycertificate
WHERE valid_from <= %(today)s AND (valid_until IS NULL OR valid_until >= %(today)s){severe}{only}
ORDER BY person_id, valid_until DESC NULLS FIRST, valid_from, id

-- pe_child: per person, the child-welfare record in force.
SELECT DISTINCT ON (person_id) person_id, kind, placement, since, ended_on, institution_id, guardian_id
FROM pensions_childwelfarerecord
WHERE since <= %(today)s AND (ended_on IS NULL OR ended_on >= %(today)s){only}
ORDER BY person_id, since DESC, id DESC

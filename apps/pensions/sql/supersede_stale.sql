-- Pending changes the engine no longer proposes (the facts changed before anyone decided).
UPDATE pensions_eligibilitychange ch SET status = 'superseded', decided_at = now(),
       note = 'no longer proposed by the engine'
WHERE ch.status = 'pending' AND NOT EXISTS (
    SELECT 1 FROM pe_prop pr WHERE pr.person_id = ch.person_id AND pr.programme = ch.programme_id
                               AND pr.key = ch.key)

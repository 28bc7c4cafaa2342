-- Open entitlements (op 'open') unless an active or suspended one of the programme covers part of
-- the months; one history row each. Returns how many were created.
WITH ins AS (
    INSERT INTO benefits_entitlement (id, {columns})
    SELECT coalesce(a.id, nextval(pg_get_serial_sequence('benefits_entitlement', 'id'))), {selects}
    FROM {table} a
    WHERE a.op = 'open' AND NOT EXISTS (
        SELECT 1 FROM benefits_entitlement e
        WHERE e.person_id = a.person_id AND e.programme_id = a.programme_id
          AND e.status IN ('active', 'suspended')
          AND e.start_period <= coalesce(a.end_period, 'infinity'::date)
          AND coalesce(e.end_period, 'infinity'::date) >= a.period)
    RETURNING *
), hist AS (
    {history}
)
SELECT count(*) FROM ins

-- Open entitlements (op 'open') unless one of the programme that is suspended or pays (active, or
-- stopped/ended up to its last period) covers part of the months; one history row each. Returns how
-- many were created.
WITH ins AS (
    INSERT INTO benefits_entitlement (id, {columns})
    SELECT coalesce(a.id, nextval(pg_get_serial_sequence('benefits_entitlement', 'id'))), {selects}
    FROM {table} a
    WHERE a.op = 'open' AND NOT EXISTS (
        SELECT 1 FROM benefits_entitlement e
        WHERE ((a.household_id IS NULL AND e.person_id = a.person_id)
               OR (a.household_id IS NOT NULL AND e.household_id = a.household_id))
          AND e.programme_id = a.programme_id
          AND e.status IN ('active', 'suspended', 'stopped', 'ended')
          AND (e.status IN ('active', 'suspended') OR e.end_period >= e.start_period)
          AND e.start_period <= coalesce(a.end_period, 'infinity'::date)
          AND coalesce(e.end_period, 'infinity'::date) >= a.period)
    RETURNING *
), hist AS (
    {history}
)
SELECT count(*) FROM ins

-- End entitlements (op 'end'): the new last period; one before the start stops it outright with the
-- month before its start as the last (no month pays);
-- one history row per entitlement changed. An entitlement already ending earlier is left alone.
WITH todo AS (
    SELECT id AS entitlement_id, period AS new_end, reason, history_reason, history_date
    FROM {table} WHERE op = 'end' AND id IS NOT NULL
), upd AS (
    UPDATE benefits_entitlement e
    SET end_period = greatest(todo.new_end, (e.start_period - interval '1 month')::date),
        status = CASE WHEN todo.new_end < e.start_period THEN 'stopped' ELSE e.status END,
        reason = left(todo.reason, 300),
        updated_at = now()
    FROM todo
    WHERE e.id = todo.entitlement_id AND (e.end_period IS NULL OR e.end_period > todo.new_end)
    RETURNING e.*, todo.history_reason, todo.history_date
)
{history}

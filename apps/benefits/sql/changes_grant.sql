-- Create one-off grants (op 'grant'); the unique source makes a second grant for it impossible.
-- One history row each. Returns how many were created.
WITH ins AS (
    INSERT INTO benefits_grant (id, {columns})
    SELECT coalesce(a.id, nextval(pg_get_serial_sequence('benefits_grant', 'id'))), {selects}
    FROM {table} a WHERE a.op = 'grant'
    ON CONFLICT DO NOTHING RETURNING *
), hist AS (
    {history}
)
SELECT count(*) FROM ins

-- Current, but no longer eligible at all: stop, dated by the reason where it has a date.
INSERT INTO pe_prop
SELECT d.person_id, d.programme, 'stop', d.variant, d.stop_end, NULL, d.entitlement_id, NULL, NULL, NULL,
       d.reason_code, d.facts,
       'stop:' || d.reason_code || ':' || d.entitlement_id || coalesce(':' || d.stop_end_dated, '')
FROM pe_diag d
WHERE d.end_period IS NULL OR d.end_period > d.stop_end

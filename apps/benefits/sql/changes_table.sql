-- The changes a caller hands to benefits.services.entitlements_apply_changes, one row per write:
--   op 'end'   ends entitlement `id` with `period` as its last period (stopped outright when that is
--              before its start); `history_reason` is its history row's change reason;
--   op 'open'  creates an entitlement (id `id`, or the next of the sequence when NULL) from `period`
--              to `end_period`, unless an active or suspended one of the programme already covers a month;
--              its history row's change reason is its `source`;
--   op 'grant' creates a one-off grant of `amount` for `period` (id `id` or the next); its `source`
--              is unique, so a second grant for the same source is never made (history reason: `source`);
--              paid to `payee_person_id`, or to the named account `payee_name`/`payee_account`/`payee_bank`
--              (a funeral home, a family) with `household_id`/`person_id` optional.
-- An 'open' of a household programme names `household_id` (its months are checked against the
-- household's entitlements of the programme, not the person's) with `per_capita_income`,
-- `covered_members` and `addon_members`; 特困 care names its `care_level`.
-- `history_date`, when given, dates the write's history row (a batch of past steps entered as they
-- happened); an 'open' needs its `id` for that. Without it the row carries the clock.
CREATE TEMP TABLE {table} (
    op text NOT NULL CHECK (op IN ('end', 'open', 'grant')),
    id bigint,
    programme_id text,
    variant text,
    household_id bigint,
    person_id bigint,
    payee_person_id bigint,
    payee_institution_id bigint,
    period date NOT NULL,
    end_period date,
    amount numeric(12, 2),
    per_capita_income numeric(12, 2),
    covered_members integer,
    addon_members integer NOT NULL DEFAULT 0,
    care_level text NOT NULL DEFAULT '',
    reason text NOT NULL DEFAULT '',
    source text NOT NULL DEFAULT '',
    history_reason text NOT NULL DEFAULT '',
    payee_name text NOT NULL DEFAULT '',
    payee_account text NOT NULL DEFAULT '',
    payee_bank text NOT NULL DEFAULT '',
    history_date timestamptz
) ON COMMIT DROP

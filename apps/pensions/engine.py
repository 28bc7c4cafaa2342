"""The eligibility engine's SQL (政策主动找人): set-based, one pass over the bureau's registry.

Called by apps.pensions.services inside one transaction. Each step fills a temporary table
(dropped at commit):

  pe_std      programmes/variants the bureau has standards for, and the first month of each
  pe_bracket  the 高龄津贴 brackets as birth-date ranges on `today`
  pe_support  per person: on dibao / 低保边缘 / 特困 (分散 or not), with the support's start and end
  pe_cert     per person: the best valid disability certificate (and pe_cert_severe: level 1-2)
  pe_child    per person: the child-welfare record in force
  pe_target   who should be paid what: person, programme, variant, from (basis) and known end
  pe_current  the entitlement of these programmes each person has now (or from a future month)
  pe_prop     the changes that turn pe_current into pe_target: start, rebracket, stop, grant
  pe_diag     why someone has no target (for stops, and for explaining one person)

Nothing here decides whether a change is confirmed; `apply_changes` writes what confirmed changes
say into benefits' entitlements and grants, with their history rows.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from apps.benefits import services as benefits

from . import rules, sql

PROGRAMMES = ("longevity", "elderly_service", "disability_living", "disability_nursing", "orphan")
TEMP_TABLES = ("pe_std", "pe_bracket", "pe_support", "pe_cert", "pe_cert_severe", "pe_child", "pe_target",
               "pe_current", "pe_last_end", "pe_prop", "pe_diag_in", "pe_diag", "pe_apply")

MONTH = "date_trunc('month', {})::date"
MONTH_AFTER = "(date_trunc('month', {}) + interval '1 month')::date"


def _month(expr: str) -> str:
    return MONTH.format(expr)


def _month_after(expr: str) -> str:
    return MONTH_AFTER.format(expr)


@dataclass(frozen=True)
class GrantSpec:
    """An annual grant due in this run: its variant, bracket, period and amount."""

    variant: str
    bracket: rules.Bracket
    period: datetime.date
    amount: object  # Decimal


class Engine:
    def __init__(self, cursor, *, today: datetime.date, person_ids: list[int] | None = None,
                 programmes: tuple[str, ...] = PROGRAMMES):
        self.cursor = cursor
        self.programmes = programmes
        self.today = today
        self.p0 = rules.first_of_month(today)
        self.person_ids = person_ids
        self.params = {
            "today": today,
            "p0": self.p0,
            "d80": rules.years_before(today, rules.ELDERLY_SERVICE_AGE),
            "d18": rules.years_before(today, rules.ADULT_AGE),
            # A programme left out (a broken bracket table) is neither started nor stopped.
            "programmes": list(programmes),
            "person_ids": person_ids or [],
            "severe": rules.SEVERE_LEVEL_MAX,
        }

    # ------------------------------------------------------------------ helpers

    def _run(self, sql: str, params: dict | None = None) -> int:
        self.cursor.execute(sql, {**self.params, **(params or {})})
        return self.cursor.rowcount

    def _only(self, column: str) -> str:
        """Restricts a query to the persons asked about (explaining one person)."""
        return f" AND {column} = ANY(%(person_ids)s)" if self.person_ids is not None else ""

    def _temp(self, name: str, body: str, params: dict | None = None, index: str | None = None) -> None:
        self._run(f"DROP TABLE IF EXISTS {name}")
        self._run(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {body}", params)
        if index:
            self._run(f"CREATE INDEX ON {name} ({index})")
        # Autovacuum never analyses temporary tables; without statistics the joins below go nested-loop.
        self._run(f"ANALYZE {name}")

    # ------------------------------------------------------------------ facts

    def build(self, *, brackets: list[rules.Bracket]) -> None:
        self._temp("pe_std", """
            SELECT programme_id AS programme, variant, date_trunc('month', min(effective_from))::date AS first_month
            FROM benefits_standard WHERE programme_id = ANY(%(programmes)s) GROUP BY programme_id, variant
        """)
        self._run("DROP TABLE IF EXISTS pe_bracket")
        self._run("CREATE TEMP TABLE pe_bracket (variant text, lo int, hi int, max_birth date, min_birth date)"
                  " ON COMMIT DROP")
        for b in brackets:
            # Aged lo or more: born on or before today − lo years; aged hi or less: born after today − (hi+1).
            self._run("INSERT INTO pe_bracket VALUES (%(v)s, %(lo)s, %(hi)s, %(max_birth)s, %(min_birth)s)", {
                "v": b.variant, "lo": b.lo, "hi": b.hi, "max_birth": rules.years_before(self.today, b.lo),
                "min_birth": None if b.hi is None else rules.years_before(self.today, b.hi + 1)})

        es = "(programme_id = 'dibao' OR (programme_id = 'tekun' AND payee_person_id IS NOT NULL))"
        dm = "programme_id IN ('dibao', 'dibao_marginal')"
        tk = "programme_id = 'tekun'"

        def span(cond: str, prefix: str) -> str:
            return (f"count(*) FILTER (WHERE {cond}) > 0 AS {prefix}_has, "
                    f"min(start_period) FILTER (WHERE {cond}) AS {prefix}_s, "
                    f"CASE WHEN bool_or(end_period IS NULL) FILTER (WHERE {cond}) THEN NULL "
                    f"ELSE max(end_period) FILTER (WHERE {cond}) END AS {prefix}_e")

        self._temp("pe_support", f"""
            WITH e AS (
                SELECT hm.person_id, en.programme_id, en.start_period, en.end_period, en.payee_person_id
                FROM benefits_entitlement en JOIN people_householdmember hm ON hm.household_id = en.household_id
                WHERE en.programme_id IN ('dibao', 'dibao_marginal') AND en.status = 'active'
                  AND (en.end_period IS NULL OR en.end_period >= %(p0)s){self._only('hm.person_id')}
                UNION ALL
                SELECT en.person_id, en.programme_id, en.start_period, en.end_period, en.payee_person_id
                FROM benefits_entitlement en
                WHERE en.person_id IS NOT NULL AND en.status = 'active'
                  AND (en.programme_id = 'tekun' OR (en.programme_id IN ('dibao', 'dibao_marginal')
                                                     AND en.household_id IS NULL))
                  AND (en.end_period IS NULL OR en.end_period >= %(p0)s){self._only('en.person_id')}
            )
            SELECT person_id, {span(es, 'es')}, {span(dm, 'dm')}, {span(tk, 'tk')}
            FROM e GROUP BY person_id
        """, index="person_id")

        certificate = """
            SELECT DISTINCT ON (person_id) person_id, level, valid_from, valid_until
            FROM people_disabilitycertificate
            WHERE valid_from <= %(today)s AND (valid_until IS NULL OR valid_until >= %(today)s){cond}
            ORDER BY person_id, valid_until DESC NULLS FIRST, valid_from, id
        """
        self._temp("pe_cert", certificate.format(cond=self._only("person_id")), index="person_id")
        self._temp("pe_cert_severe", certificate.format(cond=" AND level <= %(severe)s" + self._only("person_id")),
                   index="person_id")
        self._temp("pe_child", f"""
            SELECT DISTINCT ON (person_id) person_id, kind, placement, since, ended_on, institution_id, guardian_id
            FROM pensions_childwelfarerecord
            WHERE since <= %(today)s AND (ended_on IS NULL OR ended_on >= %(today)s){self._only('person_id')}
            ORDER BY person_id, since DESC, id DESC
        """, index="person_id")
        self._build_targets()
        self._build_current()

    def _build_targets(self) -> None:
        self._run("DROP TABLE IF EXISTS pe_target")
        self._run("""
            CREATE TEMP TABLE pe_target (
                person_id bigint, programme text, variant text, basis date, target_end date, end_reason text,
                payee_person_id bigint, payee_institution_id bigint, reason_code text, facts jsonb
            ) ON COMMIT DROP
        """)
        only = self._only("p.id")
        # 高龄津贴: local hukou, alive, in a bracket; from the month after the birthday reaching it.
        reached = "(p.birth_date + make_interval(years => b.lo))::date"
        self._run(f"""
            INSERT INTO pe_target
            SELECT p.id, 'longevity', b.variant, greatest({_month_after(reached)}, s.first_month), NULL, NULL,
                   p.id, NULL, 'age_bracket', jsonb_build_object('bracket', b.variant, 'date', {reached})
            FROM pe_bracket b
            JOIN people_person p ON p.birth_date <= b.max_birth AND (b.min_birth IS NULL OR p.birth_date > b.min_birth)
            JOIN pe_std s ON s.programme = 'longevity' AND s.variant = b.variant
            WHERE p.status = 'alive' AND p.local_hukou{only}
        """)
        # 经济困难高龄老年人服务补贴: 80 or older, on dibao or 分散特困; ends with that support.
        turned_80 = f"(p.birth_date + interval '{rules.ELDERLY_SERVICE_AGE} years')::date"
        self._run(f"""
            INSERT INTO pe_target
            SELECT p.id, 'elderly_service', 'unified',
                   greatest({_month_after(turned_80)}, sp.es_s, s.first_month), sp.es_e,
                   CASE WHEN sp.es_e IS NOT NULL THEN 'support_ends' END,
                   p.id, NULL, 'elderly_on_assistance', jsonb_build_object('date', {turned_80})
            FROM pe_support sp
            JOIN people_person p ON p.id = sp.person_id
            JOIN pe_std s ON s.programme = 'elderly_service' AND s.variant = 'unified'
            WHERE sp.es_has AND p.status = 'alive' AND p.birth_date <= %(d80)s{only}
        """)
        # 重度残疾人护理补贴: a valid level 1-2 certificate, whatever the income; ends with the certificate.
        self._run(f"""
            INSERT INTO pe_target
            SELECT p.id, 'disability_nursing', 'unified', greatest({_month_after('c.valid_from')}, s.first_month),
                   {_month('c.valid_until')}, CASE WHEN c.valid_until IS NOT NULL THEN 'certificate_expires' END,
                   p.id, NULL, 'severe_certificate', jsonb_build_object('level', c.level, 'date', c.valid_from)
            FROM pe_cert_severe c
            JOIN people_person p ON p.id = c.person_id
            JOIN pe_std s ON s.programme = 'disability_nursing' AND s.variant = 'unified'
            WHERE p.status = 'alive'{only}
        """)
        # 困难残疾人生活补贴: a valid certificate in a dibao / 低保边缘 household, never with 特困.
        self._run(f"""
            INSERT INTO pe_target
            SELECT p.id, 'disability_living', 'unified',
                   greatest({_month_after('c.valid_from')}, sp.dm_s, s.first_month),
                   least({_month('c.valid_until')}, sp.dm_e),
                   CASE WHEN sp.dm_e IS NOT NULL AND (c.valid_until IS NULL OR sp.dm_e < {_month('c.valid_until')})
                        THEN 'support_ends'
                        WHEN c.valid_until IS NOT NULL THEN 'certificate_expires' END,
                   p.id, NULL, 'certificate_on_assistance', jsonb_build_object('level', c.level, 'date', c.valid_from)
            FROM pe_cert c
            JOIN pe_support sp ON sp.person_id = c.person_id AND sp.dm_has AND NOT sp.tk_has
            JOIN people_person p ON p.id = c.person_id
            JOIN pe_std s ON s.programme = 'disability_living' AND s.variant = 'unified'
            WHERE p.status = 'alive'{only}
        """)
        # 孤儿 / 事实无人抚养儿童: the placement's standard until the month of the 18th birthday.
        adult = f"(p.birth_date + interval '{rules.ADULT_AGE} years')::date"
        self._run(f"""
            INSERT INTO pe_target
            SELECT p.id, 'orphan', r.placement, greatest({_month_after('r.since')}, s.first_month),
                   least({_month(adult)}, {_month('r.ended_on')}),
                   CASE WHEN r.ended_on IS NOT NULL AND {_month('r.ended_on')} < {_month(adult)}
                        THEN 'record_ends' ELSE 'turns_18' END,
                   CASE WHEN r.placement = 'institutional' AND r.institution_id IS NOT NULL THEN NULL
                        ELSE coalesce(r.guardian_id, p.id) END,
                   CASE WHEN r.placement = 'institutional' THEN r.institution_id END,
                   'child_welfare', jsonb_build_object('kind', r.kind, 'date', r.since)
            FROM pe_child r
            JOIN people_person p ON p.id = r.person_id
            JOIN pe_std s ON s.programme = 'orphan' AND s.variant = r.placement
            WHERE p.status = 'alive' AND p.birth_date > %(d18)s{only}
        """)
        self._run("CREATE INDEX ON pe_target (person_id, programme)")
        self._run("ANALYZE pe_target")

    def _build_current(self) -> None:
        only = self._only("person_id")
        # Suspended ones count as current: the engine starts nothing beside them and moves nothing
        # out of them (staff suspended it for a reason); it still ends them when eligibility ends.
        self._temp("pe_current", f"""
            SELECT DISTINCT ON (person_id, programme_id) id, person_id, programme_id AS programme, variant,
                   start_period, end_period, status
            FROM benefits_entitlement
            WHERE programme_id = ANY(%(programmes)s) AND person_id IS NOT NULL
              AND status IN ('active', 'suspended') AND (end_period IS NULL OR end_period >= %(p0)s){only}
            ORDER BY person_id, programme_id, start_period DESC, id DESC
        """, index="person_id, programme")
        self._temp("pe_last_end", f"""
            SELECT person_id, programme_id AS programme, max(end_period) AS last_end
            FROM benefits_entitlement
            WHERE programme_id = ANY(%(programmes)s) AND person_id IS NOT NULL
              AND status IN ('active', 'suspended') AND end_period IS NOT NULL{only}
            GROUP BY person_id, programme_id
        """, index="person_id, programme")

    # ------------------------------------------------------------------ proposals

    def propose(self, *, grants: list[GrantSpec]) -> None:
        self._run("DROP TABLE IF EXISTS pe_prop")
        self._run("""
            CREATE TEMP TABLE pe_prop (
                person_id bigint, programme text, action text, variant text, period date, end_period date,
                entitlement_id bigint, payee_person_id bigint, payee_institution_id bigint, amount numeric(12, 2),
                reason_code text, facts jsonb, key text
            ) ON COMMIT DROP
        """)
        next_after_last = "(le.last_end + interval '1 month')::date"
        # Newly eligible, nothing current: from the month the facts give, never before this month
        # (no back-pay for what the registry learns late) nor into a month an old entitlement paid.
        # The key keeps the unfloored month, so a rejection holds while the facts stay the same.
        self._run(f"""
            INSERT INTO pe_prop
            SELECT t.person_id, t.programme, 'start', t.variant, x.period, t.target_end, NULL,
                   t.payee_person_id, t.payee_institution_id, NULL, t.reason_code, t.facts,
                   'start:' || t.variant || ':' || greatest(t.basis, {next_after_last})
            FROM pe_target t
            LEFT JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
            LEFT JOIN pe_last_end le ON le.person_id = t.person_id AND le.programme = t.programme
            CROSS JOIN LATERAL (SELECT greatest(t.basis, %(p0)s, {next_after_last}) AS period) x
            WHERE c.id IS NULL AND (t.target_end IS NULL OR t.target_end >= x.period)
        """)
        # Same variant, but eligibility ends before the current entitlement does: stop it then.
        self._run("""
            INSERT INTO pe_prop
            SELECT t.person_id, t.programme, 'stop', c.variant, t.target_end, NULL, c.id, NULL, NULL, NULL,
                   t.end_reason, t.facts, 'stop:' || t.end_reason || ':' || c.id || ':' || t.target_end
            FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
            WHERE c.variant = t.variant AND t.target_end IS NOT NULL
              AND (c.end_period IS NULL OR c.end_period > t.target_end)
        """)
        # Same variant, eligibility goes on after the current entitlement's end (a renewed
        # certificate, a dibao renewed): a new entitlement from the month after.
        self._run("""
            INSERT INTO pe_prop
            SELECT t.person_id, t.programme, 'start', t.variant, x.period, t.target_end, NULL,
                   t.payee_person_id, t.payee_institution_id, NULL, t.reason_code, t.facts,
                   'start:' || t.variant || ':' || x.period
            FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
            CROSS JOIN LATERAL (SELECT greatest(t.basis, (c.end_period + interval '1 month')::date) AS period) x
            WHERE c.variant = t.variant AND c.end_period IS NOT NULL AND c.status = 'active'
              AND (t.target_end IS NULL OR t.target_end > c.end_period) AND (t.target_end IS NULL OR t.target_end >= x.period)
        """)
        # Another bracket (高龄津贴) or placement (孤儿): the current one ends the month before the new one.
        self._run("""
            INSERT INTO pe_prop
            SELECT t.person_id, t.programme, 'rebracket', t.variant, x.period, t.target_end, c.id,
                   t.payee_person_id, t.payee_institution_id, NULL,
                   CASE WHEN t.programme = 'orphan' THEN 'placement_changed' ELSE t.reason_code END,
                   t.facts || jsonb_build_object('from', c.variant), 'rebracket:' || t.variant || ':' || c.id
            FROM pe_target t JOIN pe_current c ON c.person_id = t.person_id AND c.programme = t.programme
            CROSS JOIN LATERAL (
                SELECT greatest(t.basis, %(p0)s, (c.start_period + interval '1 month')::date) AS period) x
            WHERE c.variant <> t.variant AND c.status = 'active' AND (t.target_end IS NULL OR t.target_end >= x.period)
        """)
        for grant in grants:
            self._propose_grant(grant)
        # Current, but no longer eligible at all: stop, dated by the reason where it has a date.
        self._run("DROP TABLE IF EXISTS pe_diag_in")
        self._run("""
            CREATE TEMP TABLE pe_diag_in ON COMMIT DROP AS
            SELECT c.person_id, c.programme, c.id AS entitlement_id, c.variant, c.start_period, c.end_period
            FROM pe_current c
            LEFT JOIN pe_target t ON t.person_id = c.person_id AND t.programme = c.programme
            WHERE t.person_id IS NULL
        """)
        self.diagnose()
        self._run("""
            INSERT INTO pe_prop
            SELECT d.person_id, d.programme, 'stop', d.variant, d.stop_end, NULL, d.entitlement_id, NULL, NULL, NULL,
                   d.reason_code, d.facts,
                   'stop:' || d.reason_code || ':' || d.entitlement_id || coalesce(':' || d.stop_end_dated, '')
            FROM pe_diag d
            WHERE d.end_period IS NULL OR d.end_period > d.stop_end
        """)
        self._run("CREATE INDEX ON pe_prop (person_id, programme)")
        self._run("ANALYZE pe_prop")

    def _propose_grant(self, grant: GrantSpec) -> None:
        year = grant.period.year
        last_day = rules.add_months(grant.period, 1) - datetime.timedelta(days=1)
        # In the bracket at some time in the grant's month: lo reached by its last day.
        self._run("""
            INSERT INTO pe_prop
            SELECT t.person_id, 'longevity', 'grant', %(g_variant)s, %(g_period)s, NULL, NULL, t.person_id, NULL,
                   %(g_amount)s, 'annual_grant', jsonb_build_object('bracket', %(g_bracket)s, 'year', %(g_year)s),
                   'grant:' || %(g_variant)s || ':' || %(g_year)s
            FROM pe_target t JOIN people_person p ON p.id = t.person_id
            WHERE t.programme = 'longevity' AND p.birth_date <= %(g_max_birth)s
              AND (%(g_min_birth)s::date IS NULL OR p.birth_date > %(g_min_birth)s::date)
              AND NOT EXISTS (SELECT 1 FROM benefits_grant g
                              WHERE g.source = 'pensions.longevity-grant:' || t.person_id || ':' || %(g_year)s)
        """, {
            "g_variant": grant.variant, "g_period": grant.period, "g_amount": grant.amount,
            "g_bracket": grant.bracket.variant, "g_year": year,
            "g_max_birth": rules.years_before(last_day, grant.bracket.lo),
            "g_min_birth": None if grant.bracket.hi is None else rules.years_before(last_day, grant.bracket.hi + 1),
        })

    def diagnose(self) -> None:
        """Why each (person, programme) in pe_diag_in has no target, and the last period to pay."""
        last_support = """
            SELECT max(en.end_period) FILTER (WHERE en.programme_id IN ('dibao', 'dibao_marginal')) AS dm_end,
                   max(en.end_period) FILTER (WHERE en.programme_id = 'dibao'
                       OR (en.programme_id = 'tekun' AND en.payee_person_id IS NOT NULL)) AS es_end
            FROM benefits_entitlement en
            WHERE en.status = 'active' AND en.end_period < %(p0)s
              AND en.programme_id IN ('dibao', 'dibao_marginal', 'tekun')
              AND (en.person_id = d.person_id OR en.household_id = (
                   SELECT hm.household_id FROM people_householdmember hm WHERE hm.person_id = d.person_id))
        """
        reason = """
            CASE
              WHEN NOT EXISTS (SELECT 1 FROM pe_std s WHERE s.programme = d.programme) THEN 'no_standard'
              WHEN p.status <> 'alive' THEN 'deceased'
              WHEN d.programme = 'longevity' AND NOT p.local_hukou THEN 'no_local_hukou'
              WHEN d.programme = 'longevity' THEN 'outside_brackets'
              WHEN d.programme = 'elderly_service' AND p.birth_date > %(d80)s THEN 'under_80'
              WHEN d.programme = 'elderly_service' THEN 'no_dibao_or_dispersed_tekun'
              WHEN d.programme IN ('disability_living', 'disability_nursing') AND c.person_id IS NULL
                   THEN 'no_valid_certificate'
              WHEN d.programme = 'disability_nursing' AND cs.person_id IS NULL THEN 'certificate_not_severe'
              WHEN d.programme = 'disability_living' AND coalesce(sp.tk_has, false) THEN 'on_tekun'
              WHEN d.programme = 'disability_living' AND NOT coalesce(sp.dm_has, false) THEN 'no_dibao_or_marginal'
              WHEN d.programme = 'orphan' AND p.birth_date <= %(d18)s THEN 'turns_18'
              WHEN d.programme = 'orphan' AND ch.person_id IS NULL THEN 'no_child_welfare_record'
              WHEN d.programme = 'orphan' AND NOT EXISTS (
                   SELECT 1 FROM pe_std s WHERE s.programme = 'orphan' AND s.variant = ch.placement) THEN 'no_standard'
              ELSE 'not_eligible'
            END
        """
        event = """
            CASE r.code
              WHEN 'deceased' THEN p.date_of_death
              WHEN 'turns_18' THEN (p.birth_date + interval '18 years')::date
              WHEN 'no_valid_certificate' THEN lc.last_until
              WHEN 'no_child_welfare_record' THEN lr.last_ended
              WHEN 'on_tekun' THEN sp.tk_s
              WHEN 'no_dibao_or_marginal' THEN ls.dm_end
              WHEN 'no_dibao_or_dispersed_tekun' THEN ls.es_end
            END
        """
        self._temp("pe_diag", f"""
            SELECT d.person_id, d.programme, d.entitlement_id, d.variant, d.start_period, d.end_period,
                   r.code AS reason_code,
                   CASE WHEN ev.day IS NULL THEN NULL
                        WHEN r.code = 'on_tekun' THEN (ev.day - interval '1 month')::date
                        WHEN r.code IN ('no_dibao_or_marginal', 'no_dibao_or_dispersed_tekun') THEN ev.day
                        ELSE {_month('ev.day')} END AS stop_end_dated,
                   jsonb_strip_nulls(jsonb_build_object('date', ev.day)) AS facts
            FROM pe_diag_in d
            JOIN people_person p ON p.id = d.person_id
            LEFT JOIN pe_support sp ON sp.person_id = d.person_id
            LEFT JOIN pe_cert c ON c.person_id = d.person_id
            LEFT JOIN pe_cert_severe cs ON cs.person_id = d.person_id
            LEFT JOIN pe_child ch ON ch.person_id = d.person_id
            LEFT JOIN LATERAL (SELECT max(x.valid_until) AS last_until FROM people_disabilitycertificate x
                               WHERE x.person_id = d.person_id AND x.valid_until < %(today)s) lc
                   ON d.programme IN ('disability_living', 'disability_nursing')
            LEFT JOIN LATERAL (SELECT max(x.ended_on) AS last_ended FROM pensions_childwelfarerecord x
                               WHERE x.person_id = d.person_id AND x.ended_on < %(today)s) lr
                   ON d.programme = 'orphan'
            LEFT JOIN LATERAL ({last_support}) ls ON d.programme IN ('disability_living', 'elderly_service')
            CROSS JOIN LATERAL (SELECT {reason} AS code) r
            CROSS JOIN LATERAL (SELECT {event} AS day) ev
        """)
        self._run("ALTER TABLE pe_diag ADD COLUMN stop_end date")
        self._run("UPDATE pe_diag SET stop_end = coalesce(stop_end_dated, %(p0)s)")

    # ------------------------------------------------------------------ reads for one person

    def rows(self, table: str) -> list[dict]:
        self.cursor.execute(f"SELECT * FROM {table}")
        columns = [c.name for c in self.cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in self.cursor.fetchall()]
        for row in rows:
            # Django leaves jsonb undecoded on raw cursors.
            if isinstance(row.get("facts"), str):
                row["facts"] = json.loads(row["facts"])
        return rows


# ---------------------------------------------------------------------- writing changes


def supersede_stale(cursor) -> int:
    """Pending changes the engine no longer proposes (the facts changed before anyone decided)."""
    cursor.execute("""
        UPDATE pensions_eligibilitychange ch SET status = 'superseded', decided_at = now(),
               note = 'no longer proposed by the engine'
        WHERE ch.status = 'pending' AND NOT EXISTS (
            SELECT 1 FROM pe_prop pr WHERE pr.person_id = ch.person_id AND pr.programme = ch.programme_id
                                       AND pr.key = ch.key)
    """)
    return cursor.rowcount


def insert_changes(cursor, *, run_id: int, confirmed: bool) -> list[tuple[int, str, str]]:
    """One row per proposal not yet recorded; a key already pending, confirmed or rejected is skipped.

    Confirmed at once, a change gets the id of the entitlement or grant it will create now, so
    applying it needs no second pass over the changes.
    """
    cursor.execute(f"""
        INSERT INTO pensions_eligibilitychange (
            run_id, person_id, programme_id, action, variant, period, end_period, amount, entitlement_id,
            payee_person_id, payee_institution_id, reason_code, facts, key, status, decided_at, note, created_at,
            created_entitlement_id, created_grant_id)
        SELECT %(run_id)s, person_id, programme, action, variant, period, end_period, amount, entitlement_id,
               payee_person_id, payee_institution_id, reason_code, facts, key,
               CASE WHEN %(confirmed)s THEN 'confirmed' ELSE 'pending' END,
               CASE WHEN %(confirmed)s THEN now() END,
               CASE WHEN %(confirmed)s THEN 'confirmed automatically (bureau setting)' ELSE '' END, now(),
               CASE WHEN %(confirmed)s AND action IN ('start', 'rebracket') THEN {benefits.NEXT_ENTITLEMENT_ID} END,
               CASE WHEN %(confirmed)s AND action = 'grant' THEN {benefits.NEXT_GRANT_ID} END
        FROM pe_prop
        ORDER BY person_id, programme, action
        ON CONFLICT DO NOTHING
        RETURNING id, programme_id, action
    """, {"run_id": run_id, "confirmed": confirmed})
    return cursor.fetchall()


def apply_changes(cursor, *, change_ids: list[int], user, reasons: dict[str, str]) -> dict:
    """Apply confirmed changes through benefits (the one writer of entitlements and grants): a stop
    ends its entitlement at its period; a rebracket ends the old one the month before the new one
    and opens the new; a start opens one; a grant creates one. Each write has its history row."""
    if not change_ids:
        return {"ended": 0, "created": 0, "grants": 0, "skipped": 0}
    cursor.execute("DROP TABLE IF EXISTS pe_reason")
    cursor.execute("CREATE TEMP TABLE pe_reason (code text PRIMARY KEY, label text) ON COMMIT DROP")
    cursor.executemany("INSERT INTO pe_reason VALUES (%s, %s)", list(reasons.items()))
    cursor.execute("DROP TABLE IF EXISTS pe_apply")
    cursor.execute(sql.statement("apply_select"), {"ids": change_ids})
    cursor.execute("CREATE INDEX ON pe_apply (id)")
    cursor.execute("ANALYZE pe_apply")
    # Changes confirmed by staff get the ids of what they create now (the engine's own got them at insert).
    cursor.execute(sql.statement("apply_assign_ids", next_entitlement=benefits.NEXT_ENTITLEMENT_ID,
                                 next_grant=benefits.NEXT_GRANT_ID))
    if cursor.rowcount:
        cursor.execute(sql.statement("apply_record_ids"))
    table = benefits.entitlement_changes_table(table="pe_benefits_changes")
    cursor.execute(sql.statement("apply_changes_fill", table=table))
    written = benefits.entitlements_apply_changes(table=table, user=user)
    # A change whose months were already covered (or whose grant exists) did nothing: say so, and
    # drop the id it was given, which names no row.
    cursor.execute(sql.statement("apply_skipped"))
    return {**written, "skipped": cursor.rowcount}

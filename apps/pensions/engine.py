"""The eligibility engine's SQL (政策主动找人): set-based, one pass over the bureau's registry.

Called by apps.pensions.services inside one transaction. Each step fills a temporary table
(dropped at commit):

  pe_std      programmes/variants the bureau has standards for, and the first month of each
  pe_bracket  the 高龄津贴 brackets as birth-date ranges on `today`
  pe_support  per person: on dibao / 低保边缘 / 特困 (分散 or not), with the support's start and end
  pe_cert     per person: the best valid disability certificate (and pe_cert_severe: level 1-2)
  pe_child    per person: the child-welfare record in force
  pe_target   who should be paid what: person, programme, variant, from (basis) and known end, and
              to whom (a minor, or anyone without an account, through the household's guardian:
              pe_payee)
  pe_current  the entitlement of these programmes each person has now (or from a future month)
  pe_prop     the changes that turn pe_current into pe_target: start, rebracket, stop, grant
  pe_diag     why someone has no target (for stops, and for explaining one person)

The statements are apps/pensions/sql/*.sql. Nothing here decides whether a change is confirmed, and
nothing here writes benefits' tables: `apply_changes` hands what confirmed changes say to
apps.benefits.services.entitlements_apply_changes, the one writer of entitlements and grants.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from apps.benefits import services as benefits

from . import rules, sql

PROGRAMMES = ("longevity", "elderly_service", "disability_living", "disability_nursing", "orphan")
TEMP_TABLES = ("pe_std", "pe_bracket", "pe_support", "pe_cert", "pe_cert_severe", "pe_child", "pe_payee", "pe_target",
               "pe_current", "pe_last_end", "pe_prop", "pe_diag_in", "pe_diag", "pe_apply")

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
            "elderly_age": rules.ELDERLY_SERVICE_AGE,
            "adult_age": rules.ADULT_AGE,
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
        self._temp("pe_std", sql.statement("std"))
        self._run("DROP TABLE IF EXISTS pe_bracket")
        self._run(sql.statement("bracket_table"))
        for b in brackets:
            # Aged lo or more: born on or before today − lo years; aged hi or less: born after today − (hi+1).
            self._run("INSERT INTO pe_bracket VALUES (%(v)s, %(lo)s, %(hi)s, %(max_birth)s, %(min_birth)s)", {
                "v": b.variant, "lo": b.lo, "hi": b.hi, "max_birth": rules.years_before(self.today, b.lo),
                "min_birth": None if b.hi is None else rules.years_before(self.today, b.hi + 1)})
        self._temp("pe_support", sql.statement("support", only_hm=self._only("hm.person_id"),
                                                only_en=self._only("en.person_id")), index="person_id")
        only = self._only("person_id")
        self._temp("pe_cert", sql.statement("certificate", severe="", only=only), index="person_id")
        self._temp("pe_cert_severe", sql.statement("certificate", severe=" AND level <= %(severe)s", only=only),
                   index="person_id")
        self._temp("pe_child", sql.statement("child", only=only), index="person_id")
        self._build_targets()
        self._build_current()

    def _build_targets(self) -> None:
        self._run("DROP TABLE IF EXISTS pe_target")
        self._run(sql.statement("target_table"))
        only = self._only("p.id")
        for programme in ("longevity", "elderly_service", "disability_nursing", "disability_living", "orphan"):
            self._run(sql.statement(f"target_{programme}", only=only))
        self._run("CREATE INDEX ON pe_target (person_id, programme)")
        self._run("ANALYZE pe_target")
        # The guardians first, in a table of their own with its statistics: joined to pe_target in one
        # UPDATE with a subquery, the planner guessed one row and scanned pe_target once per guardian.
        self._temp("pe_payee", sql.statement("payee"), index="person_id")
        self._run(sql.statement("target_payee"))

    def _build_current(self) -> None:
        only = self._only("person_id")
        self._temp("pe_current", sql.statement("current", only=only), index="person_id, programme")
        self._temp("pe_last_end", sql.statement("last_end", only=only), index="person_id, programme")

    # ------------------------------------------------------------------ proposals

    def propose(self, *, grants: list[GrantSpec]) -> None:
        self._run("DROP TABLE IF EXISTS pe_prop")
        self._run(sql.statement("prop_table"))
        for step in ("prop_start", "prop_stop", "prop_renew", "prop_rebracket"):
            self._run(sql.statement(step))
        for grant in grants:
            self._propose_grant(grant)
        self._run("DROP TABLE IF EXISTS pe_diag_in")
        self._run(sql.statement("diag_in"))
        self.diagnose()
        self._run(sql.statement("prop_stop_ineligible"))
        self._run("CREATE INDEX ON pe_prop (person_id, programme)")
        self._run("ANALYZE pe_prop")

    def _propose_grant(self, grant: GrantSpec) -> None:
        last_day = rules.add_months(grant.period, 1) - datetime.timedelta(days=1)
        self._run(sql.statement("prop_grant"), {
            "g_variant": grant.variant, "g_period": grant.period, "g_amount": grant.amount,
            "g_bracket": grant.bracket.variant, "g_year": grant.period.year,
            "g_max_birth": rules.years_before(last_day, grant.bracket.lo),
            "g_min_birth": None if grant.bracket.hi is None else rules.years_before(last_day, grant.bracket.hi + 1),
        })

    def diagnose(self) -> None:
        """Why each (person, programme) in pe_diag_in has no target, and the last period to pay."""
        self._temp("pe_diag", sql.statement("diag"))
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
    cursor.execute(sql.statement("supersede_stale"))
    return cursor.rowcount


def insert_changes(cursor, *, run_id: int, confirmed: bool) -> list[tuple[int, str, str]]:
    """One row per proposal not yet recorded; a key already pending, confirmed or rejected is skipped.

    Confirmed at once, a change gets the id of the entitlement or grant it will create now, so
    applying it needs no second pass over the changes.
    """
    cursor.execute(sql.statement("insert_changes", next_entitlement=benefits.NEXT_ENTITLEMENT_ID,
                                 next_grant=benefits.NEXT_GRANT_ID), {"run_id": run_id, "confirmed": confirmed})
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

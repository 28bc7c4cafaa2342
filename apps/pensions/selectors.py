"""Reads of the pensions app, scoped to the user's town where a record belongs to a town."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from apps.benefits.models import Standard
from apps.core.scoping import scope_to_town
from apps.people.models import CareInstitution, Person

from . import engine, rules
from .models import ChildWelfareRecord, EligibilityChange, EligibilityRun, MealSite

# --------------------------------------------------------------------------- registries


def institution_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(CareInstitution.objects.select_related("town"), user)
    for key in ("town", "ownership", "star_rating"):
        if filters.get(key):
            qs = qs.filter(**{f"{key}_id" if key == "town" else key: filters[key]})
    return qs


def meal_site_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(MealSite.objects.select_related("town"), user)
    for key in ("town", "kind", "star_rating"):
        if filters.get(key):
            qs = qs.filter(**{f"{key}_id" if key == "town" else key: filters[key]})
    return qs


def registry_totals(*, user=None, town_id: int | None = None) -> dict:
    """中山: 34 institutions, 3,880 beds, 2,934 nursing beds (75.62%), 144 meal sites."""
    institutions = institution_list(user=user, filters={"town": town_id}) if user else CareInstitution.objects.all()
    sites = meal_site_list(user=user, filters={"town": town_id}) if user else MealSite.objects.all()
    if not user and town_id:
        institutions, sites = institutions.filter(town_id=town_id), sites.filter(town_id=town_id)
    agg = institutions.aggregate(n=Count("id"), beds=Sum("beds"), nursing=Sum("nursing_beds"),
                                 rated=Count("id", filter=Q(star_rating__isnull=False)))
    sites_agg = sites.aggregate(n=Count("id"), meals=Sum("meals_per_month"),
                                rated=Count("id", filter=Q(star_rating__isnull=False)))
    beds, nursing = agg["beds"] or 0, agg["nursing"] or 0
    by_ownership = dict(institutions.values_list("ownership").annotate(n=Count("id")).order_by())
    return {
        "institutions": agg["n"], "beds": beds, "nursing_beds": nursing,
        "nursing_share": rules.share_percent(nursing, beds), "star_rated_institutions": agg["rated"],
        "institutions_by_ownership": {key: by_ownership.get(key, 0) for key in CareInstitution.Ownership.values},
        "meal_sites": sites_agg["n"], "star_rated_meal_sites": sites_agg["rated"],
        "meals_per_month": sites_agg["meals"] or 0,
    }


def child_welfare_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(ChildWelfareRecord.objects.select_related("person", "person__town", "institution", "guardian"),
                       user, "person__town")
    for key in ("kind", "placement"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("person"):
        qs = qs.filter(person_id=filters["person"])
    if filters.get("open") is not None:
        qs = qs.filter(ended_on__isnull=bool(filters["open"]))
    return qs


# --------------------------------------------------------------------------- brackets and standards


def longevity_brackets() -> list[rules.Bracket]:
    """The bureau's bracket table from its 高龄津贴 standards; ValidationError if it is broken.

    Bureaus without a longevity standard (海丰, 南山: their reports quote none) have no brackets
    and pay no 高龄津贴 until their admins enter the standards.
    """
    variants = Standard.objects.filter(programme_id="longevity").values_list("variant", flat=True).distinct()
    return [b for b in rules.check_brackets(list(variants))]


def grant_specs(*, today: datetime.date) -> list[engine.GrantSpec]:
    """Annual grants due on or after their month this year (广州: 1,000 each October for 100+)."""
    specs = []
    variants = (Standard.objects.filter(programme_id="longevity", variant__startswith="grant:")
                .values_list("variant", flat=True).distinct())
    for variant in variants:
        grant = rules.parse_grant(variant)
        period = datetime.date(today.year, grant.month, 1)
        if today < period:
            continue
        row = (Standard.objects.filter(programme_id="longevity", variant=variant, effective_from__lte=period)
               .order_by("-effective_from").first())
        if row is not None:
            specs.append(engine.GrantSpec(variant=variant, bracket=grant.bracket, period=period, amount=row.amount))
    return specs


# --------------------------------------------------------------------------- eligibility


def eligibility_run_list(*, user=None) -> QuerySet:
    return EligibilityRun.objects.select_related("triggered_by")


def eligibility_change_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(
        EligibilityChange.objects.select_related("person", "person__town", "programme", "run", "decided_by"),
        user, "person__town")
    for key, field in (("status", "status"), ("programme", "programme_id"), ("action", "action"),
                       ("run", "run_id"), ("person", "person_id"), ("reason", "reason_code")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    return qs


def reason_text(code: str, facts: dict | None = None) -> str:
    """The reason a change or a finding gives, in the user's language, with its dates."""
    label = str(EligibilityChange.Reason(code).label) if code in EligibilityChange.Reason.values else code
    facts = facts or {}
    details = [str(facts[k]) for k in ("bracket", "date", "year") if facts.get(k)]
    if facts.get("level"):
        details.insert(0, _("level %(level)s") % {"level": facts["level"]})
    return f"{label} ({', '.join(details)})" if details else label


def eligibility_explain(*, person: Person, today: datetime.date) -> list[dict]:
    """For one person and each programme: eligible or not, and why — the engine's own SQL, run for
    this person alone and writing nothing."""
    results = []
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            brackets, programmes = longevity_brackets(), engine.PROGRAMMES
        except Exception:  # noqa: BLE001 - a broken table: explain the other programmes
            brackets, programmes = [], tuple(p for p in engine.PROGRAMMES if p != "longevity")
        eng = engine.Engine(cursor, today=today, person_ids=[person.pk], programmes=programmes)
        eng.build(brackets=brackets)
        eng.propose(grants=grant_specs(today=today) if "longevity" in programmes else [])
        targets = {row["programme"]: row for row in eng.rows("pe_target")}
        proposals = {}
        for row in eng.rows("pe_prop"):
            proposals.setdefault(row["programme"], []).append(row)
        current = {row["programme"]: row for row in eng.rows("pe_current")}
        missing = [p for p in programmes if p not in targets]
        cursor.execute("DROP TABLE IF EXISTS pe_diag_in")
        cursor.execute("CREATE TEMP TABLE pe_diag_in (person_id bigint, programme text, entitlement_id bigint,"
                       " variant text, start_period date, end_period date) ON COMMIT DROP")
        for programme in missing:
            cursor.execute("INSERT INTO pe_diag_in (person_id, programme) VALUES (%s, %s)", [person.pk, programme])
        eng.diagnose()
        diagnosis = {row["programme"]: row for row in eng.rows("pe_diag")}
        transaction.set_rollback(True)  # temporary tables only; nothing to keep
    for programme in engine.PROGRAMMES:
        target, cur = targets.get(programme), current.get(programme)
        finding = {"programme": programme, "eligible": target is not None,
                   "current_entitlement": cur["id"] if cur else None,
                   "proposed": [{"action": p["action"], "variant": p["variant"], "period": p["period"],
                                 "reason": reason_text(p["reason_code"], p["facts"])}
                                for p in proposals.get(programme, [])]}
        if programme not in programmes:
            finding.update(reason_code="no_standard", reason=_("the 高龄津贴 bracket table is broken"))
        elif target is not None:
            finding.update(variant=target["variant"], reason_code=target["reason_code"],
                           reason=reason_text(target["reason_code"], target["facts"]),
                           from_period=max(target["basis"], rules.first_of_month(today)),
                           until_period=target["target_end"])
        else:
            diag = diagnosis.get(programme, {})
            code = diag.get("reason_code", "not_eligible")
            finding.update(reason_code=code, reason=reason_text(code, diag.get("facts")))
        results.append(finding)
    return results

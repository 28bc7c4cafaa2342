"""Reads of the province: rollup rows only, never a bureau's schema (no cross-schema reads in requests)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.periods import format_month
from tenants.models import Bureau, ProvincialMinimum
from tenants.selectors import bureau_list

from . import rules
from .models import AnnualRollup, DuplicateAlert, HealthRollup, MonthlyRollup, ReferenceStandard, StandardRollup

# The programmes set against provincial minimums, and the variant that stands for a bureau that splits
# its standard by class (the urban one: what reports rank).
RANKED_VARIANTS = ("unified", "urban")
FAILURE_RATE_ALERT = Decimal("0.05")
OVERDUE_REVIEWS_ALERT = 50
INDICATOR_PREFIXES = ("socialorgs.", "burial.")


def _minimum_rows() -> dict[str, list[rules.MinimumRow]]:
    rows: dict[str, list[rules.MinimumRow]] = defaultdict(list)
    for m in ProvincialMinimum.objects.all():
        rows[m.province].append(
            rules.MinimumRow(
                region_class=m.region_class, programme=m.programme, amount=m.amount, effective_from=m.effective_from
            )
        )
    return rows


def _ranked_standard(by_variant: dict[str, Decimal]) -> Decimal | None:
    for variant in RANKED_VARIANTS:
        if variant in by_variant:
            return by_variant[variant]
    return None


def standards_table(*, on: datetime.date | None = None) -> list[dict]:
    """Each bureau's standard in force per programme with a provincial minimum: minimum, ratio, rank.

    Ranked among the bureaus of the same province and the reference cities of seeds/ (those that are
    not bureaus here); a bureau whose province has no minimum for the programme shows no ratio.
    """
    on = on or timezone.localdate()
    minimums = _minimum_rows()
    programmes = sorted({r.programme for rows in minimums.values() for r in rows})
    bureaus = list(Bureau.objects.filter(kind=Bureau.Kind.BUREAU).order_by("schema_name"))
    standards: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for s in StandardRollup.objects.filter(programme__in=programmes, variant__in=RANKED_VARIANTS):
        standards[(s.bureau_id, s.programme)][s.variant] = s.monthly_amount
    bureau_codes = {b.area_code for b in bureaus if b.area_code}
    references: dict[tuple[str, str], dict[str, tuple[str, Decimal]]] = defaultdict(dict)
    for r in (
        ReferenceStandard.objects.filter(effective_from__lte=on, programme__in=programmes)
        .exclude(area_code__in=bureau_codes)
        .order_by("area_code", "programme", "effective_from")
    ):
        references[(r.province, r.programme)][r.area_code] = (r.name_zh, r.monthly_amount)  # latest wins
    out = []
    for programme in programmes:
        pool: dict[str, dict[str, Decimal]] = defaultdict(dict)  # province -> key -> amount
        for b in bureaus:
            amount = _ranked_standard(standards.get((b.pk, programme), {}))
            if amount is not None:
                pool[b.province][f"bureau:{b.schema_name}"] = amount
        for (province, ref_programme), cities in references.items():
            if ref_programme == programme:
                for area_code, (_name, amount) in cities.items():
                    pool[province][f"reference:{area_code}"] = amount
        ranks = {province: rules.ranks(amounts) for province, amounts in pool.items()}
        for b in bureaus:
            standard = _ranked_standard(standards.get((b.pk, programme), {}))
            minimum = rules.minimum_in_force(
                minimums.get(b.province, []), region_class=b.region_class, programme=programme, on=on
            )
            ratio = rules.ratio(standard, minimum)
            out.append(
                {
                    "bureau": b.schema_name,
                    "name_zh": b.name_zh,
                    "province": b.province,
                    "region_class": b.region_class,
                    "programme": programme,
                    "standard": standard,
                    "minimum": minimum,
                    "ratio": ratio,
                    "percent_above": rules.percent_above(ratio),
                    "rank": ranks.get(b.province, {}).get(f"bureau:{b.schema_name}") if standard is not None else None,
                    "ranked_among": len(pool.get(b.province, {})),
                    "below_minimum": rules.below_minimum(standard, minimum),
                }
            )
    return out


def reference_table() -> list[dict]:
    return list(
        ReferenceStandard.objects.values(
            "name_zh",
            "area_code",
            "province",
            "region_class",
            "programme",
            "monthly_amount",
            "effective_from",
            "source",
        )
    )


def stats(
    *, period: datetime.date | None = None, programme: str = "", bureau: str = "", months: int = 24
) -> list[dict]:
    """Monthly figures per bureau, month and programme: one dict per row, figures as columns.

    Without a period: one bureau's last `months` months, or every bureau's latest month (the whole
    province over two years is the trend charts' job, summed in the database, not a table's).
    """
    qs = MonthlyRollup.objects.all()
    if period is not None:
        qs = qs.filter(period=period)
    else:
        latest = MonthlyRollup.objects.order_by("-period").values_list("period", flat=True).first()
        if latest is None:
            return []
        if bureau:
            index = latest.year * 12 + latest.month - 1 - (months - 1)
            qs = qs.filter(period__gte=datetime.date(index // 12, index % 12 + 1, 1))
        else:
            qs = qs.filter(period=latest)
    if programme:
        qs = qs.filter(programme=programme)
    if bureau:
        qs = qs.filter(bureau__schema_name=bureau)
    rows: dict[tuple, dict] = {}
    for r in qs.values("bureau__schema_name", "bureau__name_zh", "period", "programme", "key", "value"):
        key = (r["bureau__schema_name"], r["period"], r["programme"])
        row = rows.setdefault(
            key,
            {"bureau": key[0], "name_zh": r["bureau__name_zh"], "period": format_month(key[1]), "programme": key[2]},
        )
        row[r["key"]] = r["value"]
    return [rows[k] for k in sorted(rows)]


def trends(
    *,
    keys: tuple[str, ...] = ("persons_active", "amount_paid", "amount_generated"),
    bureau: str = "",
    programme: str = "",
) -> dict:
    """Province totals per month and programme over the kept months: {key: {programme: {period: value}}}."""
    qs = MonthlyRollup.objects.filter(key__in=keys)
    if bureau:
        qs = qs.filter(bureau__schema_name=bureau)
    if programme:
        qs = qs.filter(programme=programme)
    out: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for r in qs.values("key", "programme", "period").annotate(total=Sum("value")).order_by("period"):
        out[r["key"]][r["programme"]][format_month(r["period"])] = r["total"]
    return {k: dict(v) for k, v in out.items()}


def health_table() -> list[dict]:
    """Per bureau: last run (status, period, times), lines, failure rate, held, reviews due and overdue."""
    by_bureau: dict[int, dict] = defaultdict(dict)
    for bureau_id, key, value, code, refreshed_at in HealthRollup.objects.values_list(
        "bureau_id", "key", "value", "code", "refreshed_at"
    ):
        by_bureau[bureau_id][key] = value if value is not None else (code or None)
        by_bureau[bureau_id]["refreshed_at"] = refreshed_at
    return [
        {"bureau": schema, "name_zh": name, **by_bureau.get(pk, {})}
        for pk, schema, name in bureau_list().values_list("pk", "schema_name", "name_zh")
    ]


def province_totals(*, period: datetime.date | None = None, programme: str = "") -> list[dict]:
    """The province's sums per programme for one month (the latest when none is given), summed in SQL."""
    if period is None:
        period = MonthlyRollup.objects.order_by("-period").values_list("period", flat=True).first()
        if period is None:
            return []
    qs = MonthlyRollup.objects.filter(period=period)
    if programme:
        qs = qs.filter(programme=programme)
    rows: dict[str, dict] = {}
    for r in qs.values("programme", "key").annotate(total=Sum("value"), bureaus=Count("bureau_id", distinct=True)):
        row = rows.setdefault(r["programme"], {"period": format_month(period), "programme": r["programme"]})
        row[r["key"]] = r["total"]
        row["bureaus"] = max(row.get("bureaus", 0), r["bureaus"])
    return [rows[k] for k in sorted(rows)]


def indicators(*, year: int) -> list[dict]:
    q = Q()
    for prefix in INDICATOR_PREFIXES:
        q |= Q(key__startswith=prefix)
    return list(
        AnnualRollup.objects.filter(q, year=year)
        .order_by("bureau__schema_name", "key")
        .values("bureau__schema_name", "bureau__name_zh", "year", "key", "label", "value", "unit")
    )


def fidelity_summary(*, bureau: str = "") -> list[dict]:
    """Per bureau and report year: its reported figures, how many its data reproduces within the
    tolerance (rules.FIDELITY_TOLERANCE_PERCENT), and the share reproduced of those reported."""
    qs = AnnualRollup.objects.filter(key__startswith="fidelity.")
    if bureau:
        qs = qs.filter(bureau__schema_name=bureau)
    rows: dict[tuple[str, int], dict] = {}
    for r in qs.values("bureau__schema_name", "bureau__name_zh", "year", "key", "value"):
        row = rows.setdefault(
            (r["bureau__schema_name"], r["year"]),
            {"bureau": r["bureau__schema_name"], "name_zh": r["bureau__name_zh"], "year": r["year"]},
        )
        row[r["key"].removeprefix("fidelity.")] = int(r["value"]) if r["value"] is not None else None
    for row in rows.values():
        reported, within = row.get("reported") or 0, row.get("within_tolerance") or 0
        row["share_reproduced"] = (
            (Decimal(within) * 100 / Decimal(reported)).quantize(rules.PERCENT) if reported else None
        )
    return [rows[k] for k in sorted(rows)]


def duplicate_list(*, status: str = DuplicateAlert.Status.OPEN) -> list[DuplicateAlert]:
    qs = DuplicateAlert.objects.all()
    if status:
        qs = qs.filter(status=status)
    return list(qs)


def duplicates_for_bureau(*, schema_name: str) -> list[DuplicateAlert]:
    return list(
        DuplicateAlert.objects.filter(status=DuplicateAlert.Status.OPEN, parties__contains=[{"bureau": schema_name}])
    )


def alert_list(
    *, today: datetime.date | None = None, health: list[dict] | None = None, standards: list[dict] | None = None
) -> list[dict]:
    """What needs the overseer's attention: late or failing runs, standards below minimum, duplicates, backlog.

    `health` and `standards` are the tables when the caller has them already (the dashboard).
    """
    today = today or timezone.localdate()
    alerts = []
    for row in health if health is not None else health_table():
        if "refreshed_at" not in row:
            continue  # never rolled up: nothing to judge yet
        period = datetime.date.fromisoformat(row["run.period"]) if row.get("run.period") else None
        approved = (
            datetime.datetime.fromisoformat(row["run.approved_at"]).date() if row.get("run.approved_at") else None
        )
        if rules.run_late(approved_at=approved, period=period, today=today):
            alerts.append(
                {
                    "kind": "run_late",
                    "bureau": row["bureau"],
                    "level": "warning",
                    "message": _("%(bureau)s: this month's run was not approved by the 5th.")
                    % {"bureau": row["name_zh"]},
                }
            )
        rate = row.get("run.failure_rate")
        if rate is not None and Decimal(rate) > FAILURE_RATE_ALERT:
            alerts.append(
                {
                    "kind": "run_failures",
                    "bureau": row["bureau"],
                    "level": "danger",
                    "message": _("%(bureau)s: %(rate)s%% of the last run's lines failed.")
                    % {"bureau": row["name_zh"], "rate": (Decimal(rate) * 100).quantize(Decimal("0.1"))},
                }
            )
        overdue = row.get("reviews.overdue")
        if overdue is not None and overdue > OVERDUE_REVIEWS_ALERT:
            alerts.append(
                {
                    "kind": "reviews_overdue",
                    "bureau": row["bureau"],
                    "level": "warning",
                    "message": _("%(bureau)s: %(count)s reviews are overdue.")
                    % {"bureau": row["name_zh"], "count": int(overdue)},
                }
            )
    for row in standards if standards is not None else standards_table(on=today):
        if row["below_minimum"]:
            alerts.append(
                {
                    "kind": "below_minimum",
                    "bureau": row["bureau"],
                    "level": "danger",
                    "message": _(
                        "%(bureau)s: the %(programme)s standard %(standard)s is below the provincial "
                        "minimum %(minimum)s."
                    )
                    % {
                        "bureau": row["name_zh"],
                        "programme": row["programme"],
                        "standard": row["standard"],
                        "minimum": row["minimum"],
                    },
                }
            )
    for alert in duplicate_list():
        names = "、".join(f"{p['name_zh']}({'/'.join(p['programmes'])})" for p in alert.parties)
        alerts.append(
            {
                "kind": "duplicate",
                "bureau": "",
                "level": "danger",
                "message": _("One person is on benefits in several bureaus: %(parties)s.") % {"parties": names},
            }
        )
    return alerts


def rollup_version() -> str:
    """Changes whenever what the dashboard shows can change: a bureau's rollup, an alert, a resolution."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(refreshed_at)::text || count(*) FROM province_rolluprefresh),"
            " (SELECT max(greatest(opened_at, closed_at))::text || count(*) FROM province_duplicatealert),"
            " (SELECT max(resolved_at)::text || count(*) FROM province_duplicateresolution),"
            " (SELECT max(id)::text || count(*) FROM tenants_provincialminimum),"
            " (SELECT max(id)::text || count(*) FROM province_referencestandard),"
            " (SELECT max(id)::text || count(*) FROM tenants_bureau)"
        )
        return "|".join(part or "" for part in cursor.fetchone())


def bureau_get(*, schema_name: str) -> Bureau:
    return bureau_list().get(schema_name=schema_name)

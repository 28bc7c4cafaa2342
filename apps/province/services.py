"""Writes of the province: one bureau's rollup, the duplicate alerts, a bureau's resolution.

`bureau_rollup_write` is the one service every bureau job calls (the nightly step, the refresh task,
the monthly run's follow-up): it reads in the bureau's schema through the registries
(settings.ROLLUP_CONTRIBUTORS, MONTHLY_FIGURES, ANNUAL_FIGURES) and writes the public schema. What a
contributor hands over is checked to be numbers or short codes before anything is written, so a
contributor that returned a name or an ID number fails the rollup instead of publishing it.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from apps.core.periods import format_month, parse_month
from apps.core.registries import Figure, figures_span, monthly_figures
from apps.statistics.models import ReportedFigure
from apps.statistics.selectors import fidelity
from tenants.models import Bureau

from . import rules
from .models import (
    AnnualRollup,
    DuplicateAlert,
    DuplicateResolution,
    HealthRollup,
    MonthlyRollup,
    PublishedHash,
    RollupRefresh,
    StandardRollup,
)
from .selectors import INDICATOR_PREFIXES

log = logging.getLogger(__name__)

MONTHS_KEPT = 24
CODE_RE = re.compile(r"^[a-z0-9_.:+-]{1,32}$")
# Figure keys are namespaced by app ("benefits.dibao_marginal_households"): as long as their columns allow.
MONTHLY_KEY_RE = re.compile(r"^[a-z0-9_.:+-]{1,48}$")
ANNUAL_KEY_RE = re.compile(r"^[a-z0-9_.:+-]{1,64}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
# Serialises the alert reconciliation of concurrent bureau rollups (pg_advisory_xact_lock key).
DUPLICATES_LOCK = 7_151_515


class RollupRefused(ValueError):
    """A contributor handed over something that is not a number or a code."""


def _months_back(today: datetime.date, months: int) -> tuple[str, str]:
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", format_month(first)


def _health_value(key: str, value) -> tuple[Decimal | None, str]:
    """(number, code) for a health figure; anything else is refused (no free text crosses over)."""
    if value is None:
        return None, ""
    if isinstance(value, bool):
        return Decimal(int(value)), ""
    if isinstance(value, int | Decimal | float):
        return Decimal(str(value)), ""
    if isinstance(value, datetime.datetime):
        return None, timezone.localtime(value).isoformat(timespec="minutes")[:32]
    if isinstance(value, datetime.date):
        return None, value.isoformat()
    if isinstance(value, str) and CODE_RE.match(value):
        return None, value
    raise RollupRefused(f"health figure {key!r} is neither a number nor a short code")


def collect(*, today: datetime.date, months: int = MONTHS_KEPT) -> dict:
    """Everything the province gets from the bureau whose schema the connection is in.

    The monthly window, the fidelity year's annual figures and its part-year sums overlap: within one
    figures_span (the window from the January of its first year) a contributor computes its months
    once, the caseload over a million entitlements once instead of three times.
    """
    first, last = _months_back(today, months)
    span_first = parse_month(first).replace(month=1)
    with figures_span(first=span_first, last=parse_month(last)):
        return _collect(today=today, first=first, last=last)


def _collect(*, today: datetime.date, first: str, last: str) -> dict:
    standards, health, hashes, failed = [], {}, set(), []
    for path in settings.ROLLUP_CONTRIBUTORS:
        try:
            part = import_string(path)(today=today) or {}
        except Exception:  # noqa: BLE001 - logged and reported; the other contributors still answer
            log.exception("rollup contributor %s failed", path)
            failed.append(path)
            continue
        standards.extend(part.get("standards", []))
        health.update(part.get("health", {}))
        hashes.update(tuple(item) for item in part.get("hashes", []))
    return {
        "standards": standards,
        "health": health,
        "hashes": hashes,
        "failed": failed,
        "window": (first, last),
        "monthly": monthly_figures(first=first, last=last),
        "annual": {year: indicator_figures(year=year) for year in (today.year - 1, today.year)},
        "fidelity": _fidelity_or_none(failed),
    }


def indicator_figures(*, year: int) -> list[Figure]:
    """The annual figures the province shows (selectors.INDICATOR_PREFIXES: social organisations, burial).

    Annual keys are namespaced by the app that computes them ("burial.cremations"), so the contributors
    of other apps (apps.benefits.figures: its caseload over a million entitlements costs a minute) are
    not asked: the province reads none of their figures. A contributor outside apps.* is asked and its
    figures kept by key.
    """
    out: list[Figure] = []
    for path in settings.ANNUAL_FIGURES:
        parts = path.split(".")
        if parts[0] == "apps" and f"{parts[1]}." not in INDICATOR_PREFIXES:
            continue
        try:
            figures = import_string(path)(year=year) or []
        except Exception:  # noqa: BLE001 - as the registry does: logged, the other contributors still answer
            log.exception("ANNUAL_FIGURES entry %s failed", path)
            continue
        out.extend(f for f in figures if f.key.startswith(INDICATOR_PREFIXES))
    return out


def _fidelity_or_none(failed: list[str]) -> dict[int, list[Figure]]:
    try:
        return fidelity_figures()
    except Exception:  # noqa: BLE001 - as a contributor: logged, reported, the rest still published
        log.exception("fidelity summary failed")
        failed.append("apps.province.services.fidelity_figures")
        return {}


FIDELITY_LABELS = {
    "reported": _("reported figures"),
    "compared": _("compared with the data"),
    "within_tolerance": _("reproduced within 1%"),
    "not_computed": _("not computed from the data"),
    "not_comparable": _("not comparable"),
}


def fidelity_figures() -> dict[int, list[Figure]]:
    """Per report year the bureau has reported figures for: how many of them its data reproduces
    (statistics' fidelity view, counted by rules.fidelity_counts). Counts only cross to the province."""
    out = {}
    for year in ReportedFigure.objects.values_list("period", flat=True).distinct().order_by("period"):
        counts = rules.fidelity_counts((row.status, row.difference, row.percent) for row in fidelity(year=year))
        out[year] = [
            Figure(f"fidelity.{key}", value, "count", FIDELITY_LABELS[key], "fidelity") for key, value in counts.items()
        ]
    return out


def _validated(collected: dict) -> dict:
    for programme, _variant in ((s["programme"], s["variant"]) for s in collected["standards"]):
        if not CODE_RE.match(programme):
            raise RollupRefused(f"programme {programme!r} is not a code")
    for person_hash, programme in collected["hashes"]:
        if not HASH_RE.match(person_hash) or not CODE_RE.match(programme):
            raise RollupRefused("a published hash is not 64 hexadecimal characters with a programme code")
    health = {key: _health_value(key, value) for key, value in collected["health"].items()}
    for figure in collected["monthly"]:
        if not isinstance(figure.value, int | Decimal) or not MONTHLY_KEY_RE.match(figure.key):
            raise RollupRefused(f"monthly figure {figure.key!r} is not a number under a code")
        if figure.programme and not CODE_RE.match(figure.programme):
            raise RollupRefused(f"monthly figure {figure.key!r} has a programme that is not a code")
    for figures in collected["annual"].values():
        for figure in figures:
            number = figure.value is None or isinstance(figure.value, int | Decimal)
            if not number or not ANNUAL_KEY_RE.match(figure.key):
                raise RollupRefused(f"annual figure {figure.key!r} is not a number under a code")
    return {**collected, "health": health}


def bureau_rollup_write(*, schema_name: str, today: datetime.date | None = None) -> dict:
    """Collect in the bureau's schema, then replace the bureau's rows in the public schema."""
    started = time.monotonic()
    today = today or timezone.localdate()
    bureau = Bureau.objects.get(schema_name=schema_name, kind=Bureau.Kind.BUREAU)
    with schema_context(schema_name):
        collected = _validated(collect(today=today))
    now = timezone.now()
    with schema_context("public"), transaction.atomic():
        StandardRollup.objects.filter(bureau=bureau).delete()
        StandardRollup.objects.bulk_create(
            [
                StandardRollup(
                    bureau=bureau,
                    programme=s["programme"],
                    variant=s["variant"],
                    monthly_amount=s["monthly_amount"],
                    effective_from=s["effective_from"],
                    refreshed_at=now,
                )
                for s in collected["standards"]
            ]
        )
        first, last = collected["window"]
        MonthlyRollup.objects.filter(
            bureau=bureau, period__gte=parse_month(first), period__lte=parse_month(last)
        ).delete()
        MonthlyRollup.objects.bulk_create(
            [
                MonthlyRollup(
                    bureau=bureau,
                    period=parse_month(f.period),
                    programme=f.programme,
                    key=f.key,
                    value=f.value,
                    unit=f.unit,
                )
                for f in collected["monthly"]
            ],
            ignore_conflicts=True,
        )
        AnnualRollup.objects.filter(bureau=bureau, year__in=list(collected["annual"])).delete()
        AnnualRollup.objects.bulk_create(
            [
                AnnualRollup(
                    bureau=bureau,
                    year=year,
                    key=f.key,
                    value=f.value,
                    unit=f.unit,
                    label=str(f.label)[:200],
                    group=str(f.group)[:50],
                )
                for year, figures in collected["annual"].items()
                for f in figures
            ],
            ignore_conflicts=True,
        )
        # The fidelity counts of every report year, replaced whole (a year's reported figures may go).
        AnnualRollup.objects.filter(bureau=bureau, key__startswith="fidelity.").delete()
        AnnualRollup.objects.bulk_create(
            [
                AnnualRollup(bureau=bureau, year=year, key=f.key, value=f.value, unit=f.unit, label=str(f.label)[:200])
                for year, figures in collected["fidelity"].items()
                for f in figures
            ]
        )
        HealthRollup.objects.filter(bureau=bureau).delete()
        HealthRollup.objects.bulk_create(
            [
                HealthRollup(bureau=bureau, key=key, value=value, code=code, refreshed_at=now)
                for key, (value, code) in collected["health"].items()
            ]
        )
        changed = _hashes_replace(bureau=bureau, hashes=collected["hashes"])
        seconds = Decimal(str(round(time.monotonic() - started, 2)))
        RollupRefresh.objects.update_or_create(
            bureau=bureau,
            defaults={"refreshed_at": now, "seconds": seconds, "failed_contributors": collected["failed"]},
        )
        alerts = _reconcile(_changed_candidates(bureau=bureau)) if changed else {"opened": 0, "closed": 0, "open": 0}
    return {
        "bureau": schema_name,
        "standards": len(collected["standards"]),
        "monthly": len(collected["monthly"]),
        "hashes": len(collected["hashes"]),
        "alerts": alerts,
        "failed": collected["failed"],
    }


def _hashes_replace(*, bureau: Bureau, hashes) -> int:
    """Make the bureau's published hashes the given set; the hashes added or gone are left in the
    temporary table province_hash_changed (dropped at commit). Returns how many changed.

    Set-based: the hashes are copied in (COPY), then one statement deletes what is gone and inserts
    what is new; a refresh in which nobody's entitlement changed writes nothing. A million-entitlement
    bureau publishes about 450,000 hashes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            # Dropped at commit; dropped here too when an enclosing transaction holds this one's (tests).
            "DROP TABLE IF EXISTS pg_temp.province_hash_in, pg_temp.province_hash_changed; "
            "CREATE TEMPORARY TABLE province_hash_in (person_hash text, programme text) ON COMMIT DROP; "
            "CREATE TEMPORARY TABLE province_hash_changed (person_hash text) ON COMMIT DROP"
        )
        with cursor.copy("COPY province_hash_in (person_hash, programme) FROM STDIN") as copy:
            # One block of COPY text rather than a row at a time (450,000 rows: 2 s); row by row, escaped,
            # should a value hold anything COPY text would have to escape.
            text = "".join(f"{person_hash}\t{programme}\n" for person_hash, programme in hashes)
            if text.count("\n") == text.count("\t") == len(hashes) and "\\" not in text and "\r" not in text:
                copy.write(text)
            else:
                for row in hashes:
                    copy.write_row(row)
        cursor.execute("ANALYZE province_hash_in")
        cursor.execute(
            """
            WITH gone AS (
                DELETE FROM province_publishedhash p
                WHERE p.bureau_id = %(bureau)s
                  AND NOT EXISTS (SELECT 1 FROM province_hash_in i
                                  WHERE i.person_hash = p.person_hash AND i.programme = p.programme)
                RETURNING p.person_hash
            ),
            added AS (
                INSERT INTO province_publishedhash (bureau_id, person_hash, programme)
                SELECT DISTINCT %(bureau)s, i.person_hash, i.programme
                FROM province_hash_in i
                WHERE NOT EXISTS (SELECT 1 FROM province_publishedhash p WHERE p.bureau_id = %(bureau)s
                                  AND p.person_hash = i.person_hash AND p.programme = i.programme)
                RETURNING person_hash
            )
            INSERT INTO province_hash_changed (person_hash)
            SELECT person_hash FROM gone UNION SELECT person_hash FROM added
            """,
            {"bureau": bureau.pk},
        )
        return cursor.rowcount


def _changed_candidates(*, bureau: Bureau) -> set[str]:
    """Of the hashes the bureau's rollup added or dropped: those another bureau publishes too, and
    those with an alert. Only these can open, change or close an alert."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.person_hash FROM province_hash_changed c
            WHERE EXISTS (SELECT 1 FROM province_publishedhash p
                          WHERE p.person_hash = c.person_hash AND p.bureau_id <> %s)
            UNION
            SELECT a.person_hash FROM province_duplicatealert a JOIN province_hash_changed c USING (person_hash)
            """,
            [bureau.pk],
        )
        return {row[0] for row in cursor.fetchall()}


def _parties(rows: list[tuple[str, str, str]], resolved: dict[str, DuplicateResolution]) -> list[dict]:
    programmes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for schema, name, programme in rows:
        programmes[schema].add(programme)
        names[schema] = name
    return [
        {
            "bureau": schema,
            "name_zh": names[schema],
            "programmes": sorted(programmes[schema]),
            "resolved": schema in resolved,
            "reason": resolved[schema].reason if schema in resolved else "",
        }
        for schema in sorted(programmes)
    ]


@transaction.atomic
def duplicates_reconcile(*, bureau: Bureau | None = None, hashes: set[str] | None = None) -> dict:
    """Open, update or close alerts from the published hashes: of one bureau, of these hashes, or all.

    An alert is open while at least two bureaus publish the hash and have not resolved it; a hash
    that comes back in a further bureau reopens it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DUPLICATES_LOCK])
    shared = PublishedHash.objects.values("person_hash").annotate(n=Count("bureau", distinct=True)).filter(n__gt=1)
    alerts = DuplicateAlert.objects.all()
    if hashes is not None:
        shared, alerts = shared.filter(person_hash__in=list(hashes)), alerts.filter(person_hash__in=list(hashes))
    elif bureau is not None:
        mine = PublishedHash.objects.filter(bureau=bureau).values("person_hash")
        shared = shared.filter(person_hash__in=mine)
        alerts = alerts.filter(parties__contains=[{"bureau": bureau.schema_name}])
    candidates = {row["person_hash"] for row in shared} | set(alerts.values_list("person_hash", flat=True))
    return _reconcile(candidates, locked=True)


@transaction.atomic
def _reconcile(candidates: set[str], *, locked: bool = False) -> dict:
    """Open, update or close the alerts of these hashes from the published hashes and resolutions."""
    if not locked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DUPLICATES_LOCK])
    rows_by_hash: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for person_hash, schema, name, programme in PublishedHash.objects.filter(
        person_hash__in=list(candidates)
    ).values_list("person_hash", "bureau__schema_name", "bureau__name_zh", "programme"):
        rows_by_hash[person_hash].append((schema, name, programme))
    existing = {
        a.person_hash: a for a in DuplicateAlert.objects.select_for_update().filter(person_hash__in=list(candidates))
    }
    resolutions: dict[str, dict[str, DuplicateResolution]] = defaultdict(dict)
    for r in DuplicateResolution.objects.filter(alert__person_hash__in=list(candidates)).select_related(
        "alert", "bureau"
    ):
        resolutions[r.alert.person_hash][r.bureau.schema_name] = r
    now = timezone.now()
    counts = {"opened": 0, "closed": 0, "open": 0}
    for person_hash in sorted(candidates):
        rows = rows_by_hash.get(person_hash, [])
        parties = _parties(rows, resolutions.get(person_hash, {}))
        should_open = len([p for p in parties if not p["resolved"]]) >= 2
        alert = existing.get(person_hash)
        if alert is None:
            if not should_open:
                continue
            alert = DuplicateAlert(person_hash=person_hash, opened_at=now)
            counts["opened"] += 1
        elif should_open and alert.status == DuplicateAlert.Status.CLOSED:
            alert.status, alert.opened_at, alert.closed_at = DuplicateAlert.Status.OPEN, now, None
            counts["opened"] += 1
        elif not should_open and alert.status == DuplicateAlert.Status.OPEN:
            alert.status, alert.closed_at = DuplicateAlert.Status.CLOSED, now
            counts["closed"] += 1
        if not parties:
            # Nobody publishes it any more: keep who was involved, for the record.
            parties = [{**p, "resolved": True} for p in alert.parties]
        alert.parties = parties
        alert.save()
        counts["open"] += alert.status == DuplicateAlert.Status.OPEN
    return counts


def duplicate_resolve(*, alert_id: int, schema_name: str, reason: str, user) -> DuplicateAlert:
    """A bureau answers an alert from its side; the alert closes when fewer than two bureaus remain."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason this case is resolved on your side.")})
    with schema_context("public"), transaction.atomic():
        bureau = Bureau.objects.get(schema_name=schema_name, kind=Bureau.Kind.BUREAU)
        alert = DuplicateAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or schema_name not in {p["bureau"] for p in alert.parties}:
            raise ValidationError(_("No duplicate alert %(id)s concerns this bureau.") % {"id": alert_id})
        _resolution, created = DuplicateResolution.objects.get_or_create(
            alert=alert,
            bureau=bureau,
            defaults={"reason": reason[:300], "resolved_by": user.get_username(), "resolved_at": timezone.now()},
        )
        if not created:
            raise ValidationError(_("This bureau has already resolved alert %(id)s.") % {"id": alert_id})
        duplicates_reconcile(hashes={alert.person_hash})
        alert.refresh_from_db()
    return alert

"""The province site (public host): the overseer's dashboard, a bureau's page, XLSX exports.

Read-only: every page is GET and reads rollup rows only. The one write, "refresh all", is the province
administrator's (a superuser), not the overseer's, and only queues the bureaus' rollups.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

from celery import current_app
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.benefits.models import ProgrammeCode
from apps.core.periods import PeriodError, parse_month
from tenants.models import Bureau
from tenants.permissions import is_province_overseer
from tenants.selectors import bureau_list

from . import selectors, tables

PAGE_CACHE_SECONDS = 600
# What django's json_script escapes, so the JSON can sit inside a <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _overseer(request) -> None:
    if not is_province_overseer(request.user):
        raise PermissionDenied


def _filters(request) -> tuple[dict, list[str]]:
    errors, filters = [], {"period": None, "programme": "", "bureau": "", "year": timezone.localdate().year}
    if request.GET.get("period"):
        try:
            filters["period"] = parse_month(request.GET["period"])
        except PeriodError as exc:
            errors.append(str(exc))
    if request.GET.get("programme"):
        if request.GET["programme"] in ProgrammeCode.values:
            filters["programme"] = request.GET["programme"]
        else:
            errors.append(_("Unknown programme %(code)s.") % {"code": request.GET["programme"]})
    if request.GET.get("year"):
        try:
            filters["year"] = int(request.GET["year"])
        except ValueError:
            errors.append(_("The year must be a number, e.g. 2024."))
    return filters, errors


def _json(value):
    if isinstance(value, Decimal):
        return float(value)  # for the chart only; tables and exports keep the Decimal
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def _charts(filters: dict, built: dict, bureau: str = "") -> str:
    ranked = [r for r in built["standards"].rows if r["standard"] is not None]
    trend = selectors.trends(bureau=bureau, programme=filters["programme"])
    labels = dict(ProgrammeCode.choices)
    return json.dumps(
        {
            "labels": {
                "standard": _("standard in force"),
                "minimum": _("provincial minimum"),
                "rank": _("rank"),
                "yuan_month": _("yuan a month"),
                "persons": _("persons"),
                "yuan": _("yuan"),
                "failure_rate": _("failure rate %"),
                "held": _("lines held"),
                "due": _("reviews due (30 days)"),
                "overdue": _("reviews overdue"),
                "count": _("count"),
            },
            # A click on a bureau's bar opens its page.
            "bureau_url": reverse("province-bureau", args=["__schema__"]),
            "standards": {
                "schemas": [r["bureau"] for r in ranked],
                "bureaus": [r["name_zh"] for r in ranked],
                "standard": [r["standard"] for r in ranked],
                "minimum": [r["minimum"] for r in ranked],
                "rank": [r["rank"] for r in ranked],
            },
            "trends": {
                key: {str(labels.get(p, p) or _("all programmes")): series for p, series in by_programme.items()}
                for key, by_programme in trend.items()
            },
            "health": [
                {
                    "schema": r["bureau"],
                    "name": r["name_zh"],
                    "failure_rate": r.get("run.failure_rate"),
                    "held": r.get("run.held"),
                    "due": r.get("reviews.due_30_days"),
                    "overdue": r.get("reviews.overdue"),
                }
                for r in built["health"].rows
            ],
        },
        default=_json,
        ensure_ascii=False,
    ).translate(JSON_SCRIPT_ESCAPES)


def version_key(*parts: str) -> str:
    """A cache key that changes with the rollup rows (selectors.rollup_version) and the day."""
    text = "|".join([selectors.rollup_version(), timezone.localdate().isoformat(), *parts])
    return f"province:{parts[0]}:" + hashlib.sha256(text.encode()).hexdigest()


def _bureau_options(selected: str) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (schema, " selected" if schema == selected else "", name)
            for schema, name in bureau_list().values_list("schema_name", "name_zh")
        ),
    )


def _page(request, *, title: str, bureau: Bureau | None = None):
    filters, errors = _filters(request)
    schema_name = bureau.schema_name if bureau else ""
    # Rollup rows change only when a bureau's rollup, an alert or a minimum does: the tables and charts
    # are built once per version (and day: lateness depends on it) and language, then served from cache.
    key = (
        "province:page:"
        + hashlib.sha256(
            "|".join(
                [
                    selectors.rollup_version(),
                    timezone.localdate().isoformat(),
                    get_language() or "",
                    schema_name,
                    request.GET.urlencode(),
                ]
            ).encode()
        ).hexdigest()
    )
    cached = cache.get(key)
    if cached is None:
        built = tables.dashboard(filters, bureau=schema_name)
        for table in built.values():
            table.html  # noqa: B018 - formatted once, before caching
        cached = {
            "tables": built,
            "charts": _charts(filters, built, bureau=schema_name),
            "options": str(_bureau_options(schema_name)),
        }
        cache.set(key, cached, PAGE_CACHE_SECONDS)
    built = cached["tables"]
    return render(
        request,
        "province/home.html",
        {
            "title": title,
            "bureau": bureau,
            "tables": built,
            "monthly": built.get("stats") or built["totals"],
            "filters": filters,
            "errors": errors,
            "charts": mark_safe(cached["charts"]),  # JSON with <, > and & escaped
            "bureau_options": mark_safe(cached["options"]),  # built by format_html_join
            "programmes": ProgrammeCode.choices,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@login_required
def home(request):
    _overseer(request)
    if request.GET.get("bureau"):
        query = request.GET.copy()
        schema_name = query.pop("bureau")[-1]
        url = reverse("province-bureau", args=[schema_name])
        return redirect(f"{url}?{query.urlencode()}" if query else url)
    return _page(request, title=_("Provincial oversight"))


@require_GET
@login_required
def bureau_detail(request, schema_name: str):
    _overseer(request)
    try:
        bureau = selectors.bureau_get(schema_name=schema_name)
    except Bureau.DoesNotExist:
        raise Http404 from None
    return _page(request, title=bureau.name_zh, bureau=bureau)


@require_GET
@login_required
def export(request, name: str):
    _overseer(request)
    make = tables.TABLES.get(name)
    if make is None:
        raise Http404
    filters, errors = _filters(request)
    if errors:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    filters["bureau"] = request.GET.get("bureau", "")
    table = make(**filters)
    response = HttpResponse(
        tables.xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="province-{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@require_POST
@login_required
def refresh(request):
    """Queue every bureau's rollup (the province administrator's action; overseers only read)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    current_app.send_task("province.refresh_all", kwargs={}, _schema_name="public")
    messages.info(request, _("The rollups of every bureau are being refreshed."))
    return redirect("province-home")

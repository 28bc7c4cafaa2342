"""Reads of the social-organisation registry, scoped to the user's town (the domicile town of an
organisation, the town a community organisation filed with); and the bureau's indicators per year."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.registries import Figure
from apps.core.scoping import scope_to_town
from tenants.selectors import current_bureau

from . import rules
from .models import (
    LIVE_STATUSES,
    AnnualReport,
    CommunityOrgFiling,
    Listing,
    MajorEventReport,
    OrgStatus,
    OrgType,
    Rating,
    SocialOrganisation,
)


def _latest_rating(day: datetime.date):
    return Rating.objects.filter(organisation=OuterRef("pk"), rated_on__lte=day).order_by("-rated_on", "-id")


def organisation_list(*, user, filters: dict | None = None) -> QuerySet:
    """Filters: org_type, status, town, listed ("abnormal" / "dishonest" / "none"), rating (1-5: the current
    valid grade; 0: no valid rating), live (bool)."""
    filters = filters or {}
    today = timezone.localdate()
    qs = scope_to_town(SocialOrganisation.objects.select_related("town"), user).annotate(
        current_grade=Subquery(_latest_rating(today).filter(valid_until__gt=today).values("grade")[:1]),
        on_abnormal=Exists(
            Listing.objects.filter(organisation=OuterRef("pk"), kind=Listing.Kind.ABNORMAL, removed_on__isnull=True)
        ),
        on_dishonest=Exists(
            Listing.objects.filter(organisation=OuterRef("pk"), kind=Listing.Kind.DISHONEST, removed_on__isnull=True)
        ),
    )
    for key in ("org_type", "status"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("town"):
        qs = qs.filter(town_id=filters["town"])
    listed = filters.get("listed")
    if listed == "abnormal":
        qs = qs.filter(on_abnormal=True)
    elif listed == "dishonest":
        qs = qs.filter(on_dishonest=True)
    elif listed == "none":
        qs = qs.filter(on_abnormal=False, on_dishonest=False)
    if filters.get("rating") not in (None, ""):
        grade = int(filters["rating"])
        qs = qs.filter(current_grade__isnull=True) if grade == 0 else qs.filter(current_grade=grade)
    if filters.get("live") is not None:
        qs = qs.filter(status__in=LIVE_STATUSES) if filters["live"] else qs.exclude(status__in=LIVE_STATUSES)
    return qs


def organisation_get(*, user, pk) -> SocialOrganisation:
    """SocialOrganisation.DoesNotExist for one outside the user's town, as for one that does not exist."""
    return organisation_list(user=user).get(pk=pk)


def annual_report_list(*, user, organisation_id: int | None = None) -> QuerySet:
    qs = scope_to_town(AnnualReport.objects.select_related("organisation", "reviewer"), user, "organisation__town")
    return qs.filter(organisation_id=organisation_id) if organisation_id is not None else qs


def listing_list(*, user, organisation_id: int | None = None) -> QuerySet:
    qs = scope_to_town(
        Listing.objects.select_related("organisation", "listed_by", "removed_by"), user, "organisation__town"
    )
    return qs.filter(organisation_id=organisation_id) if organisation_id is not None else qs


def rating_list(*, user, organisation_id: int | None = None) -> QuerySet:
    qs = scope_to_town(Rating.objects.select_related("organisation"), user, "organisation__town")
    return qs.filter(organisation_id=organisation_id) if organisation_id is not None else qs


def major_event_list(*, user, organisation_id: int | None = None) -> QuerySet:
    qs = scope_to_town(MajorEventReport.objects.select_related("organisation"), user, "organisation__town")
    return qs.filter(organisation_id=organisation_id) if organisation_id is not None else qs


def community_org_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(CommunityOrgFiling.objects.select_related("town", "community"), user)
    if filters.get("town"):
        qs = qs.filter(town_id=filters["town"])
    if filters.get("field"):
        qs = qs.filter(field=filters["field"])
    return qs


def listing_reason_text(listing: Listing) -> str:
    """未按规定报送2023年度工作报告 / the reason given by the approver / the period on the abnormal list."""
    if listing.reason == Listing.Reason.REPORT_MISSING:
        return _("annual report on %(year)s not submitted by the deadline") % {"year": listing.report_year}
    if listing.reason == Listing.Reason.MANUAL:
        return listing.note
    return str(listing.get_reason_display())


# --------------------------------------------------------------------------- indicators


def _live_on(day: datetime.date) -> Q:
    return Q(established_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def _on_list_at(kind: str, day: datetime.date) -> int:
    return (
        Listing.objects.filter(kind=kind, listed_on__lte=day)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=day))
        .values("organisation_id")
        .distinct()
        .count()
    )


def indicators(*, year: int) -> dict:
    """The bureau's social-organisation figures for a calendar year, from its own tables.

    Stocks are counted at the year's end (31 December): live organisations, community filings in
    force, organisations on each list, valid ratings of 3A and above (the latest rating given by then,
    if it still holds). The annual-report rate is the reports on `year` over the organisations that
    had to report on it (registered before the year began, still registered on the deadline).
    """
    year_end = datetime.date(year, 12, 31)
    bureau = current_bureau()
    orgs = SocialOrganisation.objects.all()
    live = orgs.filter(_live_on(year_end))
    by_type = dict(live.values_list("org_type").annotate(n=Count("id")).order_by())
    closed = dict(orgs.filter(closed_on__year=year).values_list("status").annotate(n=Count("id")).order_by())
    deadline = rules.report_deadline(year, bureau.annual_report_deadline)
    required = orgs.filter(established_on__lt=datetime.date(year, 1, 1)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=deadline)
    )
    required_n = required.count()
    submitted_n = required.filter(Exists(AnnualReport.objects.filter(organisation=OuterRef("pk"), year=year))).count()
    on_time_n = required.filter(
        Exists(AnnualReport.objects.filter(organisation=OuterRef("pk"), year=year, submitted_on__lte=deadline))
    ).count()
    rated = live.annotate(
        grade=Subquery(_latest_rating(year_end).values("grade")[:1]),
        valid_until=Subquery(_latest_rating(year_end).values("valid_until")[:1]),
    )
    rated_3a = rated.filter(grade__gte=rules.THREE_A, valid_until__gt=year_end).count()
    expired = rated.filter(valid_until__lte=year_end).count()
    live_n = live.count()
    party_n = live.filter(has_party_org=True).count()
    filings = CommunityOrgFiling.objects.filter(filed_on__lte=year_end).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=year_end)
    )
    return {
        "year": year,
        "registered": live_n,
        "registered_by_type": {key: by_type.get(key, 0) for key in OrgType.values},
        "established": orgs.filter(established_on__year=year).count(),
        "deregistered": closed.get(OrgStatus.DEREGISTERED, 0),
        "revoked": closed.get(OrgStatus.REVOKED, 0),
        "community_filings": filings.count(),
        "annual_reports_required": required_n,
        "annual_reports_submitted": submitted_n,
        "annual_reports_on_time": on_time_n,
        "annual_report_rate": rules.rate_percent(submitted_n, required_n),
        "abnormal_list": _on_list_at(Listing.Kind.ABNORMAL, year_end),
        "dishonesty_list": _on_list_at(Listing.Kind.DISHONEST, year_end),
        "listed_abnormal_in_year": Listing.objects.filter(kind=Listing.Kind.ABNORMAL, listed_on__year=year).count(),
        "rated_3a_plus": rated_3a,
        "ratings_expired": expired,
        "party_organisations": party_n,
        "party_coverage": rules.rate_percent(party_n, live_n),
        "major_event_reports": MajorEventReport.objects.filter(reported_on__year=year).count(),
    }


_TYPE_LABELS = {
    OrgType.SOCIAL_GROUP: gettext_lazy("registered 社会团体"),
    OrgType.SERVICE_INSTITUTION: gettext_lazy("registered 社会服务机构"),
    OrgType.FOUNDATION: gettext_lazy("registered 基金会"),
}


def figures(*, year: int) -> list[Figure]:
    """settings.ANNUAL_FIGURES entry: the indicators as Figures, keys "socialorgs.*"."""
    data = indicators(year=year)
    org, pct, group = "organisation", "percent", str(gettext_lazy("Social organisations"))

    def figure(key: str, value: int | Decimal | None, unit: str, label) -> Figure:
        return Figure(key=f"socialorgs.{key}", value=value, unit=unit, label=str(label), group=group)

    result = [figure("registered", data["registered"], org, gettext_lazy("registered social organisations"))]
    result += [
        figure(f"registered.{key}", data["registered_by_type"][key], org, _TYPE_LABELS[key]) for key in OrgType.values
    ]
    result += [
        figure("established", data["established"], org, gettext_lazy("registered in the year (成立)")),
        figure("deregistered", data["deregistered"], org, gettext_lazy("deregistered in the year (注销)")),
        figure("revoked", data["revoked"], org, gettext_lazy("revoked in the year (撤销)")),
        figure(
            "community_filings", data["community_filings"], org, gettext_lazy("community social organisations filed")
        ),
        figure(
            "annual_reports_required", data["annual_reports_required"], org, gettext_lazy("annual reports required")
        ),
        figure(
            "annual_reports_submitted", data["annual_reports_submitted"], org, gettext_lazy("annual reports submitted")
        ),
        figure("annual_report_rate", data["annual_report_rate"], pct, gettext_lazy("annual-report rate")),
        figure("abnormal_list", data["abnormal_list"], org, gettext_lazy("on the 活动异常名录 at the year's end")),
        figure(
            "dishonesty_list", data["dishonesty_list"], org, gettext_lazy("on the 严重违法失信名单 at the year's end")
        ),
        figure("rated_3a_plus", data["rated_3a_plus"], org, gettext_lazy("rated 3A or above (valid)")),
        figure("party_coverage", data["party_coverage"], pct, gettext_lazy("party-organisation coverage")),
    ]
    return result

"""Writes of the social-organisation registry. Every write checks its permission and, for a user
confined to a town, that the record is in it; a refusal names what is wrong and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.idcard import parse_id_number
from apps.core.money import money_input
from apps.core.permissions import recorded_user, require_permission
from apps.core.scoping import in_user_town
from apps.people.models import Community, Person, Town
from tenants.selectors import current_bureau

from . import rules
from .models import (
    CLOSED_STATUSES,
    LIVE_STATUSES,
    AnnualReport,
    CommunityOrgFiling,
    Listing,
    MajorEventReport,
    OrgStatus,
    OrgType,
    Rating,
    SocialOrganisation,
    StatusChange,
)

# Fields a 变更 may change (the credit code, type and dates are the registration itself).
CHANGEABLE_FIELDS = {
    "name",
    "legal_representative",
    "representative_name",
    "representative_id_number",
    "business_scope",
    "town",
    "registered_capital",
    "supervising_unit",
    "has_party_org",
    "party_branch",
}


LABELS = {
    "registered_capital": gettext_lazy("The registered capital"),
    "income": gettext_lazy("Income"),
    "expenditure": gettext_lazy("Expenditure"),
    "net_assets": gettext_lazy("Net assets"),
}


def _check_town(user, town: Town | None, field: str = "town") -> None:
    if town is not None and not in_user_town(user, town.pk):
        raise ValidationError({field: _("You can only register records of your own town.")})


def _amount(value, field: str, *, negative: bool = False) -> Decimal:
    return money_input(
        field, value if value not in (None, "") else 0, label=str(LABELS.get(field, field)), allow_negative=negative
    )


def _check_document(document_number: str, decided_on) -> dict:
    errors = {}
    if not (document_number or "").strip():
        errors["document_number"] = _("The document number of the decision is required.")
    if not decided_on:
        errors["decided_on"] = _("The date of the decision is required.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The date of the decision (%(date)s) is in the future.") % {
            "date": decided_on.isoformat()
        }
    return errors


def organisation_check(organisation: SocialOrganisation, *, bureau_area_code: str | None = None) -> None:
    """Every problem of a registry record at once, by field (the admin form and the import use it too)."""
    errors: dict[str, str] = {}
    area = current_bureau().area_code if bureau_area_code is None else bureau_area_code
    if organisation.org_type not in OrgType.values:
        errors["org_type"] = _("%(value)s is not a type of social organisation.") % {"value": organisation.org_type}
    try:
        organisation.credit_code = rules.parse_credit_code(
            organisation.credit_code,
            org_type=organisation.org_type if "org_type" not in errors else None,
            bureau_area_code=area,
        )
    except ValidationError as exc:
        errors["credit_code"] = exc.messages[0]
    else:
        same = SocialOrganisation.objects.filter(credit_code=organisation.credit_code).exclude(pk=organisation.pk)
        if same.exists():
            errors["credit_code"] = _("%(code)s is already registered (%(name)s).") % {
                "code": organisation.credit_code,
                "name": same.first().name,
            }
    organisation.name = (organisation.name or "").strip()
    if not organisation.name:
        errors["name"] = _("The name is required.")
    elif organisation.status in LIVE_STATUSES:
        clash = SocialOrganisation.objects.filter(name=organisation.name, status__in=LIVE_STATUSES).exclude(
            pk=organisation.pk
        )
        if clash.exists():
            errors["name"] = _("A live organisation is already named %(name)s.") % {"name": organisation.name}
    if organisation.legal_representative_id is None:
        if not organisation.representative_name.strip():
            errors["representative_name"] = _("Name the legal representative, or choose a registered person.")
        if not organisation.representative_id_number:
            errors["representative_id_number"] = _("The legal representative's ID number is required.")
        else:
            try:
                organisation.representative_id_number = parse_id_number(organisation.representative_id_number).number
            except ValidationError as exc:
                errors["representative_id_number"] = exc.messages[0]
    else:
        person = organisation.legal_representative
        organisation.representative_name, organisation.representative_id_number = person.name, person.id_number
    if organisation.established_on and organisation.established_on > timezone.localdate():
        errors["established_on"] = _("The date established (%(date)s) is in the future.") % {
            "date": organisation.established_on.isoformat()
        }
    if organisation.registered_capital is not None and organisation.registered_capital < 0:
        errors["registered_capital"] = _("The registered capital cannot be negative.")
    if organisation.party_branch and not organisation.has_party_org:
        errors["party_branch"] = _("A party branch is named but the organisation is marked as having none.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_register(
    *,
    name: str,
    credit_code: str,
    org_type: str,
    town: Town,
    established_on: datetime.date,
    document_number: str,
    legal_representative: Person | None = None,
    representative_name: str = "",
    representative_id_number: str = "",
    business_scope: str = "",
    registered_capital=0,
    supervising_unit: str = "",
    has_party_org: bool = False,
    party_branch: str = "",
    user,
) -> SocialOrganisation:
    """成立: the registry record and its first decision (document number, date established)."""
    require_permission(user, "socialorgs.add_socialorganisation", what=_("register a social organisation"))
    _check_town(user, town)
    organisation = SocialOrganisation(
        name=name,
        credit_code=credit_code,
        org_type=org_type,
        town=town,
        established_on=established_on,
        legal_representative=legal_representative,
        representative_name=representative_name or "",
        representative_id_number=representative_id_number or "",
        business_scope=business_scope,
        registered_capital=_amount(registered_capital, "registered_capital"),
        supervising_unit=supervising_unit,
        has_party_org=has_party_org,
        party_branch=party_branch,
    )
    errors = _check_document(document_number, established_on)
    try:
        organisation_check(organisation)
    except ValidationError as exc:
        errors = {**errors, **{k: v[0] for k, v in exc.message_dict.items()}}
    if errors:
        raise ValidationError(errors)
    organisation._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise ValidationError(
            {"credit_code": _("The organisation was registered meanwhile; reload and check.")}
        ) from None
    StatusChange.objects.create(
        organisation=organisation,
        status=OrgStatus.ESTABLISHED,
        document_number=document_number.strip(),
        decided_on=established_on,
        recorded_by=recorded_user(user),
    )
    return organisation


@transaction.atomic
def organisation_change(
    *, organisation: SocialOrganisation, document_number: str, decided_on: datetime.date, note: str = "", user, **fields
) -> SocialOrganisation:
    """变更: new registration details under a decision's document number."""
    require_permission(user, "socialorgs.change_socialorganisation", what=_("change a social organisation"))
    organisation = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
    _check_town(user, organisation.town)
    if organisation.status in CLOSED_STATUSES:
        raise ValidationError(
            {
                "status": _("%(name)s is closed (%(status)s); it cannot be changed.")
                % {"name": organisation.name, "status": organisation.get_status_display()}
            }
        )
    unknown = set(fields) - CHANGEABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This is not changed by a 变更.") for name in sorted(unknown)})
    if "town" in fields:
        _check_town(user, fields["town"])
    if "registered_capital" in fields:
        fields["registered_capital"] = _amount(fields["registered_capital"], "registered_capital")
    for name, value in fields.items():
        setattr(organisation, name, value)
    if (
        "legal_representative" in fields
        and fields["legal_representative"] is None
        and "representative_id_number" not in fields
    ):
        organisation.representative_id_number = ""
    errors = _check_document(document_number, decided_on)
    if decided_on and decided_on < organisation.established_on:
        errors["decided_on"] = _("The decision (%(date)s) predates the organisation (%(established)s).") % {
            "date": decided_on.isoformat(),
            "established": organisation.established_on.isoformat(),
        }
    try:
        organisation_check(organisation)
    except ValidationError as exc:
        errors = {**errors, **{k: v[0] for k, v in exc.message_dict.items()}}
    if errors:
        raise ValidationError(errors)
    organisation.status = OrgStatus.CHANGED
    organisation._history_user = recorded_user(user)
    organisation.save()
    StatusChange.objects.create(
        organisation=organisation,
        status=OrgStatus.CHANGED,
        document_number=document_number.strip(),
        decided_on=decided_on,
        note=note,
        recorded_by=recorded_user(user),
    )
    return organisation


@transaction.atomic
def organisation_close(
    *,
    organisation: SocialOrganisation,
    status: str,
    document_number: str,
    decided_on: datetime.date,
    note: str = "",
    user,
) -> SocialOrganisation:
    """注销 (the organisation's own request) or 撤销 (a penalty): the record is closed on the decision's date.

    A stay on the abnormal list ends that day; one on the dishonesty list stays (it outlives the
    registration)."""
    require_permission(user, "socialorgs.change_socialorganisation", what=_("close a social organisation"))
    organisation = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
    _check_town(user, organisation.town)
    errors = _check_document(document_number, decided_on)
    if status not in CLOSED_STATUSES:
        errors["status"] = _("An organisation is closed by 注销 or 撤销.")
    if organisation.status in CLOSED_STATUSES:
        errors["status"] = _("%(name)s is already closed (%(status)s).") % {
            "name": organisation.name,
            "status": organisation.get_status_display(),
        }
    if decided_on and decided_on < organisation.established_on:
        errors["decided_on"] = _("The decision (%(date)s) predates the organisation (%(established)s).") % {
            "date": decided_on.isoformat(),
            "established": organisation.established_on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    organisation.status, organisation.closed_on = status, decided_on
    organisation._history_user = recorded_user(user)
    organisation.save()
    StatusChange.objects.create(
        organisation=organisation,
        status=status,
        document_number=document_number.strip(),
        decided_on=decided_on,
        note=note,
        recorded_by=recorded_user(user),
    )
    for listing in Listing.objects.filter(
        organisation=organisation, kind=Listing.Kind.ABNORMAL, removed_on__isnull=True
    ):
        listing.removed_on, listing.exit = max(decided_on, listing.listed_on), Listing.Exit.CLOSED
        listing.removed_by = recorded_user(user)
        listing.save(update_fields=["removed_on", "exit", "removed_by"])
    return organisation


# --------------------------------------------------------------------------- annual reports


@transaction.atomic
def annual_report_submit(
    *,
    organisation: SocialOrganisation,
    year: int,
    submitted_on: datetime.date,
    income=0,
    expenditure=0,
    net_assets=0,
    staff: int = 0,
    activities: str = "",
    user,
) -> AnnualReport:
    """The report on `year`; a stay on the abnormal list for that year's missing report ends on `submitted_on`."""
    require_permission(user, "socialorgs.add_annualreport", what=_("record an annual report"))
    _check_town(user, organisation.town, "organisation")
    errors = {}
    if not isinstance(year, int) or year < organisation.established_on.year:
        errors["year"] = _("%(name)s was established on %(date)s; it cannot report on %(year)s.") % {
            "name": organisation.name,
            "date": organisation.established_on.isoformat(),
            "year": year,
        }
    elif submitted_on and submitted_on.year <= year:
        errors["submitted_on"] = _("A report on %(year)d is submitted after the year ends, not on %(date)s.") % {
            "year": year,
            "date": submitted_on.isoformat(),
        }
    if submitted_on and submitted_on > timezone.localdate():
        errors["submitted_on"] = _("The date submitted (%(date)s) is in the future.") % {
            "date": submitted_on.isoformat()
        }
    if isinstance(staff, int) and staff < 0:
        errors["staff"] = _("Staff cannot be negative.")
    amounts = {}
    for field, value in (("income", income), ("expenditure", expenditure), ("net_assets", net_assets)):
        try:
            amounts[field] = _amount(value, field, negative=field == "net_assets")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not errors and AnnualReport.objects.filter(organisation=organisation, year=year).exists():
        errors["year"] = _("%(name)s has already reported on %(year)d.") % {"name": organisation.name, "year": year}
    if errors:
        raise ValidationError(errors)
    report = AnnualReport(
        organisation=organisation, year=year, submitted_on=submitted_on, staff=staff, activities=activities, **amounts
    )
    report._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            {"year": _("%(name)s has already reported on %(year)d.") % {"name": organisation.name, "year": year}}
        ) from None
    for listing in Listing.objects.select_for_update().filter(
        organisation=organisation,
        kind=Listing.Kind.ABNORMAL,
        reason=Listing.Reason.REPORT_MISSING,
        report_year=year,
        removed_on__isnull=True,
    ):
        listing.removed_on = max(submitted_on, listing.listed_on)
        listing.exit, listing.removed_by = Listing.Exit.REPORT_SUBMITTED, recorded_user(user)
        listing.save(update_fields=["removed_on", "exit", "removed_by"])
    return report


@transaction.atomic
def annual_report_review(
    *, report: AnnualReport, result: str, reviewed_on: datetime.date | None = None, user
) -> AnnualReport:
    require_permission(user, "socialorgs.change_annualreport", what=_("review an annual report"))
    _check_town(user, report.organisation.town, "organisation")
    if result not in {
        AnnualReport.Result.QUALIFIED,
        AnnualReport.Result.BASICALLY_QUALIFIED,
        AnnualReport.Result.UNQUALIFIED,
    }:
        raise ValidationError({"result": _("The result is 合格, 基本合格 or 不合格.")})
    report.result, report.reviewer = result, recorded_user(user)
    report.reviewed_on = reviewed_on or timezone.localdate()
    report._history_user = recorded_user(user)
    report.save()
    return report


# --------------------------------------------------------------------------- lists by decision


@transaction.atomic
def listing_add(
    *, organisation: SocialOrganisation, kind: str, note: str, listed_on: datetime.date | None = None, user
) -> Listing:
    """An approver lists an organisation by decision, with the reason given."""
    require_permission(user, "socialorgs.decide_listing", what=_("list an organisation"))
    organisation = SocialOrganisation.objects.select_for_update().get(pk=organisation.pk)
    _check_town(user, organisation.town, "organisation")
    listed_on = listed_on or timezone.localdate()
    errors = {}
    if kind not in Listing.Kind.values:
        errors["kind"] = _("Choose 活动异常名录 or 严重违法失信名单.")
    if not (note or "").strip():
        errors["note"] = _("Give the reason for listing.")
    if listed_on > timezone.localdate():
        errors["listed_on"] = _("The date listed (%(date)s) is in the future.") % {"date": listed_on.isoformat()}
    if not errors and Listing.objects.filter(organisation=organisation, kind=kind, removed_on__isnull=True).exists():
        errors["kind"] = _("%(name)s is already on the %(list)s.") % {
            "name": organisation.name,
            "list": Listing.Kind(kind).label,
        }
    if errors:
        raise ValidationError(errors)
    return Listing.objects.create(
        organisation=organisation,
        kind=kind,
        reason=Listing.Reason.MANUAL,
        note=note.strip(),
        listed_on=listed_on,
        listed_by=recorded_user(user),
    )


@transaction.atomic
def listing_remove(*, listing: Listing, note: str, removed_on: datetime.date | None = None, user) -> Listing:
    """An approver ends a stay by decision, with the reason given."""
    require_permission(user, "socialorgs.decide_listing", what=_("remove an organisation from a list"))
    listing = Listing.objects.select_for_update().select_related("organisation").get(pk=listing.pk)
    _check_town(user, listing.organisation.town, "organisation")
    removed_on = removed_on or timezone.localdate()
    errors = {}
    if listing.removed_on is not None:
        errors["listing"] = _("This entry was already removed on %(date)s.") % {"date": listing.removed_on.isoformat()}
    if not (note or "").strip():
        errors["note"] = _("Give the reason for removal.")
    if removed_on < listing.listed_on:
        errors["removed_on"] = _("The removal (%(date)s) predates the listing (%(listed)s).") % {
            "date": removed_on.isoformat(),
            "listed": listing.listed_on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    listing.removed_on, listing.exit, listing.exit_note = removed_on, Listing.Exit.MANUAL, note.strip()
    listing.removed_by = recorded_user(user)
    listing.save(update_fields=["removed_on", "exit", "exit_note", "removed_by"])
    return listing


# --------------------------------------------------------------------------- ratings and major events


@transaction.atomic
def rating_record(
    *, organisation: SocialOrganisation, grade: int, rated_on: datetime.date, document_number: str = "", user
) -> Rating:
    require_permission(user, "socialorgs.add_rating", what=_("record a rating"))
    _check_town(user, organisation.town, "organisation")
    errors = {}
    if not isinstance(grade, int) or not 1 <= grade <= 5:
        errors["grade"] = _("A rating is 1A to 5A (1-5), not %(grade)s.") % {"grade": grade}
    if rated_on > timezone.localdate():
        errors["rated_on"] = _("The date rated (%(date)s) is in the future.") % {"date": rated_on.isoformat()}
    elif rated_on < organisation.established_on:
        errors["rated_on"] = _("The rating (%(date)s) predates the organisation (%(established)s).") % {
            "date": rated_on.isoformat(),
            "established": organisation.established_on.isoformat(),
        }
    if not errors and Rating.objects.filter(organisation=organisation, rated_on=rated_on).exists():
        errors["rated_on"] = _("%(name)s already has a rating of %(date)s.") % {
            "name": organisation.name,
            "date": rated_on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    return Rating.objects.create(
        organisation=organisation,
        grade=grade,
        rated_on=rated_on,
        valid_until=rules.rating_valid_until(rated_on),
        document_number=document_number,
    )


@transaction.atomic
def major_event_report(
    *,
    organisation: SocialOrganisation,
    kind: str,
    reported_on: datetime.date,
    summary: str,
    event_on: datetime.date | None = None,
    user,
) -> MajorEventReport:
    require_permission(user, "socialorgs.add_majoreventreport", what=_("record a major-event report"))
    _check_town(user, organisation.town, "organisation")
    errors = {}
    if kind not in MajorEventReport.Kind.values:
        errors["kind"] = _("%(value)s is not a kind of major event.") % {"value": kind}
    if not (summary or "").strip():
        errors["summary"] = _("Summarise the event.")
    if reported_on > timezone.localdate():
        errors["reported_on"] = _("The date reported (%(date)s) is in the future.") % {"date": reported_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    return MajorEventReport.objects.create(
        organisation=organisation, kind=kind, reported_on=reported_on, event_on=event_on, summary=summary.strip()
    )


# --------------------------------------------------------------------------- community organisations


@transaction.atomic
def community_org_file(
    *,
    name: str,
    town: Town,
    filed_on: datetime.date,
    community: Community | None = None,
    field: str = CommunityOrgFiling.Field.SERVICE,
    contact_name: str = "",
    members: int = 0,
    user,
) -> CommunityOrgFiling:
    """备案 of a community social organisation with its town."""
    require_permission(user, "socialorgs.add_communityorgfiling", what=_("file a community social organisation"))
    _check_town(user, town)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("The name is required.")
    elif CommunityOrgFiling.objects.filter(town=town, name=name, withdrawn_on__isnull=True).exists():
        errors["name"] = _("%(town)s has already filed an organisation named %(name)s.") % {
            "town": town.name,
            "name": name,
        }
    if community is not None and community.town_id != town.pk:
        errors["community"] = _("%(community)s is not in %(town)s.") % {"community": community.name, "town": town.name}
    if field not in CommunityOrgFiling.Field.values:
        errors["field"] = _("%(value)s is not a field of activity.") % {"value": field}
    if filed_on > timezone.localdate():
        errors["filed_on"] = _("The date filed (%(date)s) is in the future.") % {"date": filed_on.isoformat()}
    if not isinstance(members, int) or members < 0:
        errors["members"] = _("Members cannot be negative.")
    if errors:
        raise ValidationError(errors)
    filing = CommunityOrgFiling(
        name=name,
        town=town,
        community=community,
        field=field,
        filed_on=filed_on,
        contact_name=contact_name,
        members=members,
    )
    filing._history_user = recorded_user(user)
    filing.save()
    return filing


@transaction.atomic
def community_org_withdraw(*, filing: CommunityOrgFiling, withdrawn_on: datetime.date, user) -> CommunityOrgFiling:
    require_permission(user, "socialorgs.change_communityorgfiling", what=_("withdraw a filing"))
    _check_town(user, filing.town)
    if filing.withdrawn_on is not None:
        raise ValidationError(
            {
                "withdrawn_on": _("The filing was already withdrawn on %(date)s.")
                % {"date": filing.withdrawn_on.isoformat()}
            }
        )
    if withdrawn_on < filing.filed_on:
        raise ValidationError(
            {
                "withdrawn_on": _("The withdrawal (%(date)s) predates the filing (%(filed)s).")
                % {"date": withdrawn_on.isoformat(), "filed": filing.filed_on.isoformat()}
            }
        )
    filing.withdrawn_on = withdrawn_on
    filing._history_user = recorded_user(user)
    filing.save()
    return filing

"""The 活动异常名录 and the 严重违法失信名单: the nightly step, submissions, decisions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.permissions import SYSTEM
from apps.socialorgs import listing, services
from apps.socialorgs.models import Listing

D = datetime.date


def _stays(org):
    return list(
        Listing.objects.filter(organisation=org)
        .order_by("listed_on", "id")
        .values_list("kind", "reason", "report_year", "listed_on", "removed_on", "exit")
    )


def test_a_missing_2023_report_lists_on_2024_06_01_and_submission_removes(zs, make_org):
    town, _ = zs
    late = make_org(town, established_on=D(2022, 4, 1))
    reported = make_org(town, established_on=D(2022, 4, 1))
    new_in_2023 = make_org(town, established_on=D(2023, 2, 1))  # reports from its first full year, 2024
    services.annual_report_submit(organisation=reported, year=2023, submitted_on=D(2024, 4, 2), user=SYSTEM)

    # On the deadline day nothing is late yet.
    assert listing.lists_update(today=D(2024, 5, 31))["listed_abnormal"] == 0
    counts = listing.lists_update(today=D(2024, 6, 1))
    assert counts == {
        "report_year": 2023,
        "removed_reported": 0,
        "removed_closed": 0,
        "moved_to_dishonest": 0,
        "listed_abnormal": 1,
    }
    assert _stays(late) == [("abnormal", "report_missing", 2023, D(2024, 6, 1), None, "")]
    assert _stays(reported) == [] and _stays(new_in_2023) == []
    stay = Listing.objects.get(organisation=late)
    from apps.socialorgs.selectors import listing_reason_text

    assert listing_reason_text(stay) == "annual report on 2023 not submitted by the deadline"
    # Idempotent: the same night again changes nothing.
    assert listing.lists_update(today=D(2024, 6, 1))["listed_abnormal"] == 0

    services.annual_report_submit(organisation=late, year=2023, submitted_on=D(2024, 7, 15), user=SYSTEM)
    assert _stays(late) == [("abnormal", "report_missing", 2023, D(2024, 6, 1), D(2024, 7, 15), "report_submitted")]
    assert listing.lists_update(today=D(2024, 7, 16))["listed_abnormal"] == 0


def test_an_older_missing_year_is_caught_when_the_step_first_runs_later(zs, make_org, user_of):
    from apps.socialorgs.selectors import listing_reason_text

    town, _ = zs
    skipped_2022 = make_org(town, established_on=D(2020, 3, 1))
    skipped_both = make_org(town, established_on=D(2020, 3, 1))
    complete = make_org(town, established_on=D(2020, 3, 1))
    for year in (2021, 2022, 2023):
        services.annual_report_submit(organisation=complete, year=year, submitted_on=D(year + 1, 4, 2), user=SYSTEM)
    for year in (2021, 2023):
        services.annual_report_submit(organisation=skipped_2022, year=year, submitted_on=D(year + 1, 4, 2), user=SYSTEM)
    services.annual_report_submit(organisation=skipped_both, year=2021, submitted_on=D(2022, 4, 2), user=SYSTEM)

    # The first night ever is in 2024: 2023 is the latest year due, but 2022 was never listed.
    counts = listing.lists_update(today=D(2024, 6, 1))
    assert (counts["report_year"], counts["listed_abnormal"]) == (2023, 2)
    assert _stays(skipped_2022) == [("abnormal", "report_missing", 2022, D(2024, 6, 1), None, "")]
    assert listing_reason_text(Listing.objects.get(organisation=skipped_2022)) == (
        "annual report on 2022 not submitted by the deadline"
    )
    # One open stay at a time: the earliest missing year first, the next once that report is in.
    assert _stays(skipped_both) == [("abnormal", "report_missing", 2022, D(2024, 6, 1), None, "")]
    assert _stays(complete) == []
    assert listing.lists_update(today=D(2024, 6, 2))["listed_abnormal"] == 0

    services.annual_report_submit(organisation=skipped_2022, year=2022, submitted_on=D(2024, 7, 1), user=SYSTEM)
    services.annual_report_submit(organisation=skipped_both, year=2022, submitted_on=D(2024, 7, 1), user=SYSTEM)
    assert listing.lists_update(today=D(2024, 7, 2))["listed_abnormal"] == 1
    assert _stays(skipped_2022) == [
        ("abnormal", "report_missing", 2022, D(2024, 6, 1), D(2024, 7, 1), "report_submitted")
    ]
    assert _stays(skipped_both) == [
        ("abnormal", "report_missing", 2022, D(2024, 6, 1), D(2024, 7, 1), "report_submitted"),
        ("abnormal", "report_missing", 2023, D(2024, 7, 2), None, ""),
    ]
    # A stay ended by decision stays ended: the nightly does not list that year again.
    approver = user_of("zhongshan", "approver")
    stay = Listing.objects.get(organisation=skipped_both, report_year=2023)
    services.listing_remove(listing=stay, note="已说明情况", removed_on=D(2024, 7, 3), user=approver)
    assert listing.lists_update(today=D(2024, 7, 4))["listed_abnormal"] == 0


def test_the_nightly_removes_when_a_report_was_written_without_the_service(zs, make_org):
    from apps.socialorgs.models import AnnualReport

    town, _ = zs
    org = make_org(town, established_on=D(2021, 4, 1))
    listing.lists_update(today=D(2024, 6, 1))
    AnnualReport.objects.create(organisation=org, year=2023, submitted_on=D(2024, 8, 3))  # e.g. a bulk import
    assert listing.lists_update(today=D(2024, 8, 4))["removed_reported"] == 1
    assert _stays(org) == [("abnormal", "report_missing", 2023, D(2024, 6, 1), D(2024, 8, 3), "report_submitted")]


def test_kept_past_the_period_moves_to_the_dishonesty_list(zs, make_org, bureau):
    town, _ = zs
    assert bureau("zhongshan").abnormal_list_months == 24
    org = make_org(town, established_on=D(2020, 4, 1))
    listing.lists_update(today=D(2022, 6, 1))  # the 2021 report is missing
    assert listing.lists_update(today=D(2024, 5, 31))["moved_to_dishonest"] == 0
    counts = listing.lists_update(today=D(2024, 6, 1))
    assert counts["moved_to_dishonest"] == 1 and counts["listed_abnormal"] == 0
    assert _stays(org) == [
        ("abnormal", "report_missing", 2021, D(2022, 6, 1), D(2024, 6, 1), "moved_to_dishonest"),
        ("dishonest", "kept_past_period", None, D(2024, 6, 1), None, ""),
    ]
    assert listing.lists_update(today=D(2024, 6, 2)) == {
        "report_year": 2023,
        "removed_reported": 0,
        "removed_closed": 0,
        "moved_to_dishonest": 0,
        "listed_abnormal": 0,
    }


def test_manual_listing_and_removal_by_an_approver_with_a_reason(zs, make_org, user_of):
    town, _ = zs
    org = make_org(town)
    approver, reviewer = user_of("zhongshan", "approver"), user_of("zhongshan", "reviewer")
    with pytest.raises(PermissionDenied):
        services.listing_add(organisation=org, kind="abnormal", note="未按章程开展活动", user=reviewer)
    with pytest.raises(ValidationError) as caught:
        services.listing_add(organisation=org, kind="abnormal", note="  ", user=approver)
    assert caught.value.message_dict == {"note": ["Give the reason for listing."]}
    stay = services.listing_add(
        organisation=org, kind="abnormal", note="未按章程开展活动", listed_on=D(2024, 9, 2), user=approver
    )
    assert (stay.reason, stay.note, stay.listed_by) == ("manual", "未按章程开展活动", approver)
    with pytest.raises(ValidationError):
        services.listing_add(organisation=org, kind="abnormal", note="again", user=approver)
    with pytest.raises(ValidationError) as caught:
        services.listing_remove(listing=stay, note="已整改", removed_on=D(2024, 9, 1), user=approver)
    assert "predates the listing" in caught.value.message_dict["removed_on"][0]
    services.listing_remove(listing=stay, note="已整改", removed_on=D(2024, 10, 8), user=approver)
    assert _stays(org) == [("abnormal", "manual", None, D(2024, 9, 2), D(2024, 10, 8), "manual")]


def test_closing_an_organisation_ends_its_abnormal_stay(zs, make_org, user_of):
    town, _ = zs
    org = make_org(town, established_on=D(2021, 4, 1))
    listing.lists_update(today=D(2024, 6, 1))
    services.organisation_close(
        organisation=org,
        status="deregistered",
        document_number="中民社注〔2024〕12号",
        decided_on=D(2024, 9, 30),
        user=user_of("zhongshan", "reviewer"),
    )
    assert _stays(org) == [("abnormal", "report_missing", 2023, D(2024, 6, 1), D(2024, 9, 30), "closed")]
    assert listing.lists_update(today=D(2025, 6, 1))["listed_abnormal"] == 0

"""Indicators of a year from a hand-made population of 20 organisations, numbers written out."""

import datetime
from decimal import Decimal

from apps.socialorgs import listing, selectors
from apps.socialorgs.models import AnnualReport, CommunityOrgFiling, Rating

D = datetime.date


def test_indicators_of_2024_from_twenty_organisations(zs, make_org):
    town, other = zs
    # 19 registered before 2024 (each must report on 2024), one registered during 2024 (does not).
    old = [
        make_org(
            town if i % 2 else other,
            established_on=D(2018 + i % 5, 3, 1),
            org_type=("social_group", "service_institution", "foundation")[i % 3],
            has_party_org=i < 12,
        )
        for i in range(19)
    ]
    young = make_org(town, established_on=D(2024, 5, 6), org_type="service_institution")
    # 17 of the 19 report on 2024 (one late, after the deadline of 2025-05-31: still submitted).
    for i, org in enumerate(old[:17]):
        AnnualReport.objects.create(organisation=org, year=2024, submitted_on=D(2025, 4, 1) if i else D(2025, 7, 1))
    # Ratings: a 2019 4A expired on 2024-03-01 (not counted), a 2021 3A and a 2022 5A (counted),
    # a 2023 2A (below 3A), and a 2017 4A superseded by a 2022 2A (the latest counts: not 3A+).
    for org, grade, rated_on in (
        (old[0], 4, D(2019, 3, 1)),
        (old[1], 3, D(2021, 6, 1)),
        (old[2], 5, D(2022, 9, 9)),
        (old[3], 2, D(2023, 1, 5)),
        (old[4], 4, D(2020, 1, 5)),
        (old[4], 2, D(2022, 1, 5)),
    ):
        Rating.objects.create(
            organisation=org, grade=grade, rated_on=rated_on, valid_until=rated_on.replace(year=rated_on.year + 5)
        )
    for i in range(3):
        CommunityOrgFiling.objects.create(name=f"社区组织{i}", town=town, filed_on=D(2023, 1, 1 + i))
    CommunityOrgFiling.objects.create(name="已撤备案", town=town, filed_on=D(2023, 1, 1), withdrawn_on=D(2024, 6, 1))
    CommunityOrgFiling.objects.create(name="2025年备案", town=town, filed_on=D(2025, 1, 2))
    # Nobody reported on 2023: on 2024-06-01 the 19 registered before 2023 are listed.
    listing.lists_update(today=D(2024, 6, 1))

    data = selectors.indicators(year=2024)
    assert data["registered"] == 20
    assert data["registered_by_type"] == {"social_group": 7, "service_institution": 7, "foundation": 6}
    assert data["established"] == 1
    assert data["annual_reports_required"] == 19
    assert data["annual_reports_submitted"] == 17
    assert data["annual_reports_on_time"] == 16
    assert data["annual_report_rate"] == Decimal("89.47")
    assert data["abnormal_list"] == 19
    assert data["rated_3a_plus"] == 2
    assert data["ratings_expired"] == 1
    assert data["community_filings"] == 3
    assert data["party_organisations"] == 12
    assert data["party_coverage"] == Decimal("60.00")
    assert young.pk not in {o.pk for o in old}

    figures = {f.key: (f.value, f.unit) for f in selectors.figures(year=2024)}
    assert figures["socialorgs.registered"] == (20, "organisation")
    assert figures["socialorgs.annual_report_rate"] == (Decimal("89.47"), "percent")
    assert figures["socialorgs.rated_3a_plus"] == (2, "organisation")
    assert figures["socialorgs.abnormal_list"] == (19, "organisation")


def test_registry_figures_reach_the_annual_figures_registry(zs, make_org):
    from apps.core.registries import annual_figures

    town, _ = zs
    make_org(town, established_on=D(2020, 1, 1))
    keys = {f.key: f.value for f in annual_figures(year=2024)}
    assert keys["socialorgs.registered"] == 1

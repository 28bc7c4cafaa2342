"""The synthetic registry reproduces the reports' figures through the indicators (computed, not read back)."""

import datetime
from decimal import Decimal

from apps.demo.synthetic.socialorgs import socialorgs_generate
from apps.socialorgs import listing
from apps.socialorgs.selectors import indicators

AS_OF = datetime.date(2026, 11, 27)


def test_zhongshan_2024(in_bureau, bureau):
    with in_bureau("zhongshan"):
        result = socialorgs_generate(bureau=bureau("zhongshan"), as_of=AS_OF)
        assert result["created"]
        data = indicators(year=2024)
        assert (data["registered"], data["community_filings"], data["annual_report_rate"], data["abnormal_list"]) == (
            1858,
            2589,
            Decimal("92.80"),
            241,
        )
        assert data["major_event_reports"] == 376
        # The nightly of a later day changes nothing about 2024, and a second generation writes nothing.
        listing.lists_update(today=AS_OF)
        again = indicators(year=2024)
        assert (again["registered"], again["annual_report_rate"], again["abnormal_list"]) == (
            1858,
            Decimal("92.80"),
            241,
        )
        assert socialorgs_generate(bureau=bureau("zhongshan"), as_of=AS_OF)["created"] is False


def test_guangzhou_2024_and_nanshan_2023(in_bureau, bureau):
    with in_bureau("guangzhou"):
        socialorgs_generate(bureau=bureau("guangzhou"), as_of=AS_OF)
        data = indicators(year=2024)
        assert (data["registered"], data["community_filings"], data["rated_3a_plus"]) == (7982, 30947, 754)
    with in_bureau("nanshan"):
        socialorgs_generate(bureau=bureau("nanshan"), as_of=AS_OF)
        data = indicators(year=2023)
        assert (data["rated_3a_plus"], data["party_coverage"]) == (42, Decimal("100.00"))

"""The synthetic registry reproduces the reports' figures through the indicators (computed, not read back)."""

import datetime
from decimal import Decimal

from apps.core.idcard import parse_id_number
from apps.demo.synthetic.socialorgs import socialorgs_generate
from apps.socialorgs import listing
from apps.socialorgs.models import SocialOrganisation
from apps.socialorgs.rules import parse_credit_code
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
        # Every credit code and representative's ID number the database computed passes the registry's checks.
        for org in SocialOrganisation.objects.order_by("?")[:50]:
            assert (
                parse_credit_code(org.credit_code, org_type=org.org_type, bureau_area_code="442000") == org.credit_code
            )
            assert parse_id_number(org.representative_id_number).number == org.representative_id_number
        # The nightly of a later day changes nothing about 2024, and a second generation writes nothing.
        listing.lists_update(today=AS_OF)
        again = indicators(year=2024)
        assert (again["registered"], again["annual_report_rate"], again["abnormal_list"]) == (
            1858,
            Decimal("92.80"),
            241,
        )
        assert socialorgs_generate(bureau=bureau("zhongshan"), as_of=AS_OF)["created"] is False


def test_the_command_reports_the_figures(in_bureau):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("socialorgs_demo", tenant="haifeng", as_of="2026-11-27", stdout=out)
    assert "2023: 320 registered" in out.getvalue()
    call_command("socialorgs_demo", tenant="haifeng", as_of="2026-11-27", stdout=out)
    assert "already there; nothing to do" in out.getvalue()


def test_guangzhou_2024_and_nanshan_2023(in_bureau, bureau):
    with in_bureau("guangzhou"):
        socialorgs_generate(bureau=bureau("guangzhou"), as_of=AS_OF)
        data = indicators(year=2024)
        assert (data["registered"], data["community_filings"], data["rated_3a_plus"]) == (7982, 30947, 754)
    with in_bureau("nanshan"):
        socialorgs_generate(bureau=bureau("nanshan"), as_of=AS_OF)
        data = indicators(year=2023)
        assert (data["rated_3a_plus"], data["party_coverage"]) == (42, Decimal("100.00"))

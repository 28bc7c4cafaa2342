"""pensions_demo_registry: the care registry sized from the report, created once, never deleted."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.db.models import F

from apps.pensions.models import MealSite
from apps.pensions.selectors import registry_totals
from apps.people.models import CareInstitution
from tests import factories


def test_zhongshan_demo_registry_matches_the_report(in_bureau):
    out = io.StringIO()
    call_command("pensions_demo_registry", tenant="zhongshan", stdout=out)
    with in_bureau("zhongshan"):
        ids = sorted(CareInstitution.objects.values_list("id", flat=True))
        sites = MealSite.objects.count()
    call_command("pensions_demo_registry", tenant="zhongshan", stdout=out)  # deterministic: creates nothing
    with in_bureau("zhongshan"):
        assert sorted(CareInstitution.objects.values_list("id", flat=True)) == ids
        assert MealSite.objects.count() == sites
        totals = registry_totals()
        assert (totals["institutions"], totals["beds"], totals["nursing_beds"]) == (34, 3880, 2934)
        assert totals["nursing_share"] == Decimal("75.62")
        assert totals["meal_sites"] == 144
        assert totals["star_rated_meal_sites"] == 10
        assert totals["institutions_by_ownership"]["public"] >= 13
        assert not CareInstitution.objects.filter(nursing_beds__gt=F("beds")).exists()
    assert "zhongshan: 34 institutions, 3880 beds, 2934 nursing beds (75.62%), 144 meal sites" in out.getvalue()


def test_a_demo_institution_that_entitlements_reference_survives_a_second_run(in_bureau):
    """The second `make demo` used to delete the "(demo)" institutions: ProtectedError."""
    from apps.benefits.services import entitlement_create

    call_command("pensions_demo_registry", tenant="xcity", stdout=io.StringIO())
    with in_bureau("xcity"):
        institution = CareInstitution.objects.filter(name__endswith="(demo)").order_by("id").first()
        person = factories.person()
        entitlement_create(programme="tekun", variant="unified", person=person, payee_institution=institution,
                           start_period="2024-01")
    call_command("pensions_demo_registry", tenant="xcity", stdout=io.StringIO())
    with in_bureau("xcity"):
        assert CareInstitution.objects.filter(pk=institution.pk).exists()
        assert CareInstitution.objects.filter(name__endswith="(demo)").count() == 15

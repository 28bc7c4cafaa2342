"""The pensions demo commands: registry from the report, orphans from the synthetic population."""

import datetime
import io

from django.core.management import call_command

from apps.benefits.models import Entitlement
from apps.demo.models import PopulationMarker, SyntheticPopulation
from apps.pensions.models import ChildWelfareRecord
from tests import factories

D = datetime.date


def test_orphans_of_the_synthetic_population_are_recorded_and_paid(in_bureau):
    with in_bureau("haifeng"):
        population = SyntheticPopulation.objects.create(seed=1, scale=1, as_of=D(2023, 6, 1))
        grandmother = factories.person(birth_date=D(1955, 1, 1))
        child = factories.person(birth_date=D(2012, 4, 4))
        factories.household(grandmother, child)
        housed = factories.person(birth_date=D(2016, 4, 4))
        PopulationMarker.objects.create(population=population, group="orphan", variant="scattered", person=child)
        PopulationMarker.objects.create(population=population, group="orphan", variant="institutional", person=housed)
    out = io.StringIO()
    call_command("pensions_demo", tenant="haifeng", today="2023-06-15", no_registry=True, stdout=out)
    call_command("pensions_demo", tenant="haifeng", today="2023-06-15", no_registry=True, stdout=out)
    with in_bureau("haifeng"):
        record = ChildWelfareRecord.objects.get(person=child)
        assert (record.placement, record.guardian, record.since) == ("scattered", grandmother, D(2023, 1, 1))
        assert ChildWelfareRecord.objects.count() == 2
        paid = Entitlement.objects.filter(programme_id="orphan").order_by("person_id")
        assert [(e.person_id, e.variant, e.payee_person_id) for e in paid] == [
            (child.pk, "scattered", grandmother.pk), (housed.pk, "institutional", housed.pk)]
    assert "2 child-welfare records" in out.getvalue() and "0 child-welfare records" in out.getvalue()


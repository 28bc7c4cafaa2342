"""OutputModelSerializer reads a row's own columns straight off it; what it shows is DRF's answer."""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from apps.benefits.api.serializers import EntitlementOutputSerializer
from apps.benefits.models import Entitlement
from apps.people.api.serializers import PersonOutputSerializer
from apps.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def _drf_twin(serializer_class):
    """The same declared fields and Meta on DRF's own ModelSerializer (its generic read of every field)."""
    declared = {name: field for name, field in serializer_class._declared_fields.items()}
    methods = {name: getattr(serializer_class, name) for name in dir(serializer_class)
               if name.startswith(("get_", "_payee")) and name != "get_fields"}
    return type("Twin", (serializers.ModelSerializer,), {**declared, **methods, "Meta": serializer_class.Meta})


def test_persons_and_entitlements_read_the_same_as_drf_shows_them(zs):
    head = factories.person(monthly_income=Decimal("812.50"), is_student=True, phone="13800000000")
    lone = factories.person(bank_account="", community=None, date_of_death=datetime.date(2025, 3, 9),
                            status="deceased")
    home = factories.household(head)
    factories.entitlement(programme="dibao", household=home, per_capita_income=Decimal("300.00"),
                          covered_members=1, end_period=datetime.date(2025, 6, 1), status="stopped")
    factories.entitlement(programme="disability_living", person=lone)
    cases = [
        (PersonOutputSerializer, Person.objects.filter(pk__in=[head.pk, lone.pk]).order_by("pk")),
        (EntitlementOutputSerializer, Entitlement.objects.filter(
            person__in=[head, lone]).union(Entitlement.objects.filter(household=home)).order_by("pk")),
    ]
    for serializer_class, rows in cases:
        rows = list(rows)
        ours = serializer_class(rows, many=True, context={"request": None}).data
        theirs = _drf_twin(serializer_class)(rows, many=True, context={"request": None}).data
        assert len(ours) == len(rows) >= 2
        assert [dict(row) for row in ours] == [dict(row) for row in theirs]
    # The column reads cover what they should: the plain columns and the foreign keys as their ids.
    readers = {name: (attname, convert is None) for name, _field, attname, convert in
               EntitlementOutputSerializer(context={"request": None})._readers}
    assert readers["per_capita_income"] == ("per_capita_income", False)
    assert readers["programme"] == ("programme_id", True)
    assert readers["household_code"] == (None, False) and readers["amount"] == (None, False)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/St_Johns"])
def test_a_timestamp_reads_as_drf_shows_it_in_the_current_time_zone(zone):
    """The timestamps' shortcut (format and zone looked up once a page) against DRF's DateTimeField:
    aware values in several zones, a naive one, and the 'Z' DRF writes for UTC."""
    from django.utils import timezone as tz

    from apps.core.api.mixins import _iso_datetime

    values = [
        datetime.datetime(2026, 11, 28, 6, 30, 15, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        datetime.datetime(2024, 2, 29, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.datetime(2026, 6, 1, 12, 0),  # naive: DRF makes it aware in the current zone
    ]
    with tz.override(zone):
        field = serializers.DateTimeField()
        convert = _iso_datetime(field, tz.get_current_timezone())
        assert convert is not None
        assert [convert(value) for value in values] == [field.to_representation(value) for value in values]
    assert _iso_datetime(serializers.DateTimeField(format="%Y-%m-%d"), datetime.UTC) is None
    assert _iso_datetime(serializers.DateField(), datetime.UTC) is None

"""The demo's duplicate benefit (一人多保): a person on dibao in 中山 whose ID number also draws 特困 in 广州.

Written through the bureaus' own services, as a caseworker in 广州 would have registered the person.
"""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import schema_context

from apps.benefits.models import Entitlement, ProgrammeCode
from apps.benefits.rules import first_of_month
from apps.benefits.selectors import class_variant, entitlement_active_q
from apps.benefits.services import entitlement_create
from apps.people.models import HouseholdMember, Person, Town
from apps.people.services import person_create

SOURCE = "demo.duplicate"


def plant_duplicate() -> str:
    with schema_context("guangzhou"):
        if Entitlement.objects.filter(source=SOURCE).exists():
            return "= duplicate already planted (中山 dibao / 广州 特困)"
    period = first_of_month(timezone.localdate())
    with schema_context("zhongshan"):
        member = (
            HouseholdMember.objects.filter(
                household__entitlements__in=Entitlement.objects.filter(
                    entitlement_active_q(period), programme_id="dibao"
                )
            )
            .select_related("person")
            .order_by("person_id")
            .first()
        )
        if member is None:
            return "- no duplicate planted: 中山 has no active dibao household (build its demo first)"
        source = member.person
        facts = {"id_number": source.id_number, "name": source.name, "hukou_class": source.hukou_class}
    with schema_context("guangzhou"):
        person = Person.objects.filter(id_number=facts["id_number"]).first()
        if person is None:
            person = person_create(**facts, town=Town.objects.order_by("id").first(), local_hukou=False)
        entitlement_create(
            programme=ProgrammeCode.TEKUN,
            person=person,
            payee_person=person,
            care_level="self_care",
            variant=class_variant(programme=ProgrammeCode.TEKUN, hukou_class=person.hukou_class),
            start_period=period,
            reason="演示数据：一人多保",
            source=SOURCE,
        )
    return "+ duplicate planted: one 中山 dibao member also on 特困 in 广州"

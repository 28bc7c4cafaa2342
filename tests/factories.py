"""Test data builders shared by every app's tests. They write through the ORM directly (not the
services under test) and fill derived fields the way the people services do."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from apps.core.idcard import id_hash, make_id_number

_sequence = itertools.count(1)


def town(name: str | None = None):
    from apps.people.models import Town

    if name:
        return Town.objects.get(name=name)
    return Town.objects.order_by("id").first()


def person(*, birth_date: datetime.date = datetime.date(1980, 1, 1), gender: str = "M", town_name: str | None = None,
           area_code: str | None = None, name: str | None = None, hukou_class: str = "urban", **fields):
    from apps.people.models import Person

    the_town = town(town_name)
    seq = next(_sequence)
    number = make_id_number(area_code or the_town.area_code or "442000", birth_date, seq, gender)
    defaults = {"bank_account": f"6222{seq:015d}", "bank_name": "农业银行"}
    defaults.update(fields)
    return Person.objects.create(
        id_number=number, id_hash=id_hash(number), name=name or f"测试{seq}", gender=gender,
        birth_date=birth_date, hukou_class=hukou_class, town=the_town, **defaults,
    )


def household(*members, town_name: str | None = None, hukou_class: str = "urban", **fields):
    """household(head, spouse, child) — the first person is the head."""
    from apps.people.models import Household, HouseholdMember

    the_town = town(town_name) if town_name else (members[0].town if members else town())
    h = Household.objects.create(code=f"H{next(_sequence):08d}", town=the_town, hukou_class=hukou_class, **fields)
    for i, member in enumerate(members):
        HouseholdMember.objects.create(household=h, person=member, relation="head" if i == 0 else "other")
    return h


def standard(programme: str, amount: str, effective_from: datetime.date, variant: str = "unified", unit: str = "month"):
    from apps.benefits.models import Standard

    return Standard.objects.create(programme_id=programme, variant=variant, amount=Decimal(amount), unit=unit,
                                   effective_from=effective_from)


def entitlement(*, programme: str, person=None, household=None, variant: str = "unified",
                start_period: datetime.date = datetime.date(2024, 1, 1), **fields):
    from apps.benefits.models import Entitlement

    if "payee_person" in fields or fields.get("payee_institution"):
        payee = fields.pop("payee_person", None)
    else:
        payee = person or (household.members.get(relation="head").person if household else None)
    return Entitlement.objects.create(programme_id=programme, variant=variant, person=person, household=household,
                                      payee_person=payee, start_period=start_period, **fields)

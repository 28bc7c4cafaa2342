"""追回: lines paid for months after a death or a stop are listed with the amount to recover."""

import datetime
from decimal import Decimal

import pytest

from apps.disbursement.models import PaymentLine
from apps.disbursement.selectors import recovery_list
from apps.disbursement.services import payment_run_monthly
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def paid_months(*periods):
    for period in periods:
        run = payment_run_monthly(period=period)
        PaymentLine.objects.filter(run=run).update(status="paid")


def test_a_death_with_the_next_month_already_paid(in_bureau, users):
    with in_bureau("zhongshan"):
        person = f.person(birth_date=datetime.date(1940, 5, 1))
        e = entitlement(programme="longevity", person=person, variant="80-89")      # 100.00 a month
        alive = entitlement(programme="longevity", person=f.person(), variant="80-89")
        paid_months(datetime.date(2025, 3, 1), datetime.date(2025, 4, 1))
        person.status, person.date_of_death = "deceased", datetime.date(2025, 3, 10)
        person.save()
        entries = list(recovery_list(user=users("zhongshan").finance))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.entitlement_id, entry.period, entry.amount, entry.reason, entry.cutoff) == (
        e.pk, datetime.date(2025, 4, 1), Decimal("100.00"), "death", datetime.date(2025, 3, 1))
    assert alive.pk != entry.entitlement_id


def test_a_stop_with_months_already_paid(in_bureau, users):
    with in_bureau("zhongshan"):
        e = entitlement(programme="longevity", person=f.person(), variant="90-99")   # 200.00 a month
        paid_months(datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1))
        e.status, e.end_period = "stopped", datetime.date(2025, 3, 1)  # stopped from April
        e.save()
        entries = [(x.period, x.amount, x.reason) for x in recovery_list(user=users("zhongshan").finance)]
    assert entries == [(datetime.date(2025, 4, 1), Decimal("200.00"), "stopped"),
                       (datetime.date(2025, 5, 1), Decimal("200.00"), "stopped")]


def test_unpaid_lines_are_not_recoveries(in_bureau, users):
    with in_bureau("zhongshan"):
        person = f.person()
        entitlement(programme="longevity", person=person, variant="80-89")
        payment_run_monthly(period=datetime.date(2025, 4, 1))           # generated, never paid
        person.status, person.date_of_death = "deceased", datetime.date(2025, 3, 10)
        person.save()
        assert not recovery_list(user=users("zhongshan").finance).exists()


def test_a_caseworker_sees_the_recoveries_of_their_town_only(in_bureau, users):
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        u = users("zhongshan")
        towns = list(Town.objects.order_by("id")[:2])
        mine = f.person(town_name=towns[0].name)
        theirs = f.person(town_name=towns[1].name)
        for person in (mine, theirs):
            entitlement(programme="longevity", person=person, variant="80-89")
        paid_months(datetime.date(2025, 4, 1))
        for person in (mine, theirs):
            person.status, person.date_of_death = "deceased", datetime.date(2025, 3, 10)
            person.save()
        seen = [x.payee_person_id for x in recovery_list(user=u.caseworker1)]
        everyone = recovery_list(user=u.finance).count()
    assert seen == [mine.pk] and everyone == 2

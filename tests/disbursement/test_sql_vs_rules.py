"""The SQL of the payment run and apps.benefits' Python rules give the same amount, cent for cent."""

import datetime
import importlib.util
import itertools
from decimal import Decimal

import pytest

from apps.disbursement.generation import payment_run_generate
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_create
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(importlib.util.find_spec("apps.benefits.rules") is None,
                       reason="apps/benefits/rules.py (the Python amount rule) does not exist yet"),
]


def _python_amounts(entitlements, period):
    from apps.benefits.selectors import StandardBook

    book = StandardBook.load()
    return {e.pk: book.amount(e, period) for e in entitlements}


@pytest.mark.parametrize("schema,periods", [
    ("xcity", ["2024-03", "2024-07"]),
    ("zhongshan", ["2024-06", "2025-02"]),
    ("haifeng", ["2022-12", "2023-01"]),
    ("nanshan", ["2023-06"]),
    ("guangzhou", ["2024-06"]),
])
def test_sql_and_python_agree(in_bureau, schema, periods):
    from apps.benefits.models import Entitlement

    with in_bureau(schema):
        f.standard("tekun_care", "333.33", datetime.date(2022, 1, 1), variant="partial")
        f.standard("tekun_care", "1000.00", datetime.date(2022, 1, 1), variant="full", unit="year")
        made = []
        incomes = ["0", "99.99", "200", "333.33", "731.99", "1500"]
        for i, (variant, income) in enumerate(itertools.product(["unified", "urban", "rural"], incomes)):
            members = [f.person() for _ in range(1 + i % 3)]
            made.append(entitlement(programme="dibao", household=f.household(*members), variant=variant,
                                      per_capita_income=Decimal(income), covered_members=1 + i % 3,
                                      addon_members=i % 2))
        for variant in ["unified", "urban", "rural"]:
            made.append(entitlement(programme="tekun", person=f.person(), variant=variant))
        for level in ["self_care", "partial", "full"]:
            made.append(entitlement(programme="tekun_care", person=f.person(), care_level=level))
        for programme, variant in [("longevity", "80-89"), ("longevity", "90-99"), ("longevity", "80-99"),
                                   ("longevity", "100+"), ("elderly_service", "unified"), ("orphan", "scattered"),
                                   ("orphan", "institutional"), ("disability_living", "unified"),
                                   ("disability_nursing", "unified")]:
            made.append(entitlement(programme=programme, person=f.person(), variant=variant))
        ended = entitlement(programme="disability_living", person=f.person(), end_period=datetime.date(2022, 1, 1),
                              start_period=datetime.date(2021, 1, 1))
        made.append(ended)
        compared = 0
        for text in periods:
            period = datetime.date(int(text[:4]), int(text[5:]), 1)
            run, _ = payment_run_create(period=period)
            run = payment_run_generate(run=run)
            sql = dict(PaymentLine.objects.filter(run=run).values_list("entitlement_id", "amount"))
            python = _python_amounts(Entitlement.objects.filter(pk__in=[e.pk for e in made]), period)
            # No line is the SQL's way of saying 0.00 (no standard, nothing to pay).
            assert {pk: sql.get(pk, Decimal("0.00")) for pk in python} == python
            compared += sum(1 for amount in python.values() if amount > 0)
        assert compared >= 10

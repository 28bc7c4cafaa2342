"""差额补发: a standard changed with a past effective date pays the difference of each paid month, once."""

import datetime
from decimal import Decimal

import pytest

from apps.disbursement.models import Overpayment, PaymentLine
from apps.disbursement.services import payment_run_monthly
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def months(*texts):
    return [datetime.date(int(t[:4]), int(t[5:]), 1) for t in texts]


def test_a_standard_raised_for_three_paid_months(in_bureau):
    with in_bureau("xcity"):
        one = entitlement(programme="elderly_service", person=f.person())    # 50.00 a month since 2024-01
        two = entitlement(programme="elderly_service", person=f.person())
        for period in months("2024-03", "2024-04", "2024-05"):
            payment_run_monthly(period=period)
        # Raised to 60.00 from March, decided in June.
        f.standard("elderly_service", "60.00", datetime.date(2024, 3, 1))
        june = payment_run_monthly(period=datetime.date(2024, 6, 1))
        arrears = sorted(PaymentLine.objects.filter(run=june, line_type="arrears")
                         .values_list("entitlement_id", "period", "amount"))
        regular = sorted(PaymentLine.objects.filter(run=june, line_type="regular").values_list("amount", flat=True))
        july = payment_run_monthly(period=datetime.date(2024, 7, 1))
        all_arrears = PaymentLine.objects.filter(line_type="arrears").count()
    march, april, may = months("2024-03", "2024-04", "2024-05")
    assert arrears == [
        (one.pk, march, Decimal("10.00")), (one.pk, april, Decimal("10.00")), (one.pk, may, Decimal("10.00")),
        (two.pk, march, Decimal("10.00")), (two.pk, april, Decimal("10.00")), (two.pk, may, Decimal("10.00")),
    ]
    assert regular == [Decimal("60.00"), Decimal("60.00")]
    assert june.total_amount == Decimal("180.00") and june.detail["arrears_lines"] == 6
    assert july.detail["arrears_lines"] == 0 and july.line_count == 2
    assert all_arrears == 6


def test_a_second_raise_pays_only_the_new_difference(in_bureau):
    with in_bureau("xcity"):
        e = entitlement(programme="elderly_service", person=f.person())
        payment_run_monthly(period=datetime.date(2024, 3, 1))
        raised = f.standard("elderly_service", "60.00", datetime.date(2024, 3, 1))
        payment_run_monthly(period=datetime.date(2024, 4, 1))
        raised.amount = Decimal("65.50")  # corrected in place
        raised.save()
        may = payment_run_monthly(period=datetime.date(2024, 5, 1))
        march = list(PaymentLine.objects.filter(entitlement=e, period=datetime.date(2024, 3, 1))
                     .order_by("id").values_list("line_type", "amount"))
        april = list(PaymentLine.objects.filter(entitlement=e, period=datetime.date(2024, 4, 1))
                     .order_by("id").values_list("line_type", "amount"))
    assert march == [("regular", Decimal("50.00")), ("arrears", Decimal("10.00")), ("arrears", Decimal("5.50"))]
    assert april == [("regular", Decimal("60.00")), ("arrears", Decimal("5.50"))]
    assert may.total_amount == Decimal("76.50")  # 65.50 for May + 5.50 + 5.50


def test_dibao_arrears_use_the_facts_the_month_was_paid_on(in_bureau):
    with in_bureau("zhongshan"):
        household = f.household(f.person(), f.person())
        e = entitlement(programme="dibao", household=household, variant="unified",
                          per_capita_income=Decimal("500"), covered_members=2, addon_members=1)
        payment_run_monthly(period=datetime.date(2025, 1, 1))       # (1225 − 500) × 2 + 490 = 1940.00
        e.per_capita_income = Decimal("300")                        # a review changes the income from February
        e.save()
        f.standard("dibao", "1265.00", datetime.date(2025, 1, 1))    # raised by 40 from January
        february = payment_run_monthly(period=datetime.date(2025, 2, 1))
        lines = sorted(PaymentLine.objects.filter(run=february).values_list("line_type", "period", "amount"))
    # January again on January's income: (1265 − 500) × 2 + 506 = 2036.00, paid 1940.00 → 96.00.
    # February on the new income: (1265 − 300) × 2 + 506 = 2436.00.
    assert lines == [("arrears", datetime.date(2025, 1, 1), Decimal("96.00")),
                     ("regular", datetime.date(2025, 2, 1), Decimal("2436.00"))]


def test_a_lowered_standard_is_listed_not_recovered(in_bureau):
    with in_bureau("xcity"):
        e = entitlement(programme="elderly_service", person=f.person())
        payment_run_monthly(period=datetime.date(2024, 3, 1))
        f.standard("elderly_service", "45.00", datetime.date(2024, 3, 1))
        april = payment_run_monthly(period=datetime.date(2024, 4, 1))
        may = payment_run_monthly(period=datetime.date(2024, 5, 1))
        listed = list(Overpayment.objects.values_list("entitlement_id", "period", "paid_amount", "new_amount"))
        arrears = PaymentLine.objects.filter(line_type="arrears").count()
    assert listed == [(e.pk, datetime.date(2024, 3, 1), Decimal("50.00"), Decimal("45.00"))]
    assert arrears == 0 and april.detail["overpayments"] == 1 and may.detail["overpayments"] == 0

"""THE AMOUNT RULE in the generation SQL, held to the worked numbers of the spec and the seeds."""

import datetime
from decimal import Decimal

import pytest

from apps.disbursement.generation import payment_run_generate
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_create
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def amounts(period: datetime.date) -> dict[int, Decimal]:
    """Generate the period's regular run; {entitlement id: line amount}."""
    run, _ = payment_run_create(period=period)
    run = payment_run_generate(run=run)
    return dict(PaymentLine.objects.filter(run=run).values_list("entitlement_id", "amount")), run


def dibao(*, persons: int, variant: str, income: str, covered: int, addon: int = 0, hukou: str = "urban"):
    members = [f.person(hukou_class=hukou) for _ in range(persons)]
    household = f.household(*members, hukou_class=hukou)
    return entitlement(programme="dibao", household=household, variant=variant,
                         per_capita_income=Decimal(income), covered_members=covered, addon_members=addon)


def test_haifeng_rural_dibao(in_bureau):
    with in_bureau("haifeng"):
        e = dibao(persons=3, variant="rural", income="200", covered=3, hukou="rural")
        got, _ = amounts(datetime.date(2023, 6, 1))
    assert got[e.pk] == Decimal("1596.00")  # (732 − 200) × 3


def test_xcity_urban_dibao_before_and_after_the_july_raise(in_bureau):
    with in_bureau("xcity"):
        e = dibao(persons=2, variant="urban", income="300", covered=2)
        june, _ = amounts(datetime.date(2024, 6, 1))
        july, _ = amounts(datetime.date(2024, 7, 1))
    assert june[e.pk] == Decimal("856.00")  # (728 − 300) × 2
    assert july[e.pk] == Decimal("870.00")  # (735 − 300) × 2


def test_xcity_rural_dibao_from_a_yearly_standard(in_bureau):
    with in_bureau("xcity"):
        e = dibao(persons=4, variant="rural", income="100", covered=4, hukou="rural")
        june, _ = amounts(datetime.date(2024, 6, 1))
        july, _ = amounts(datetime.date(2024, 7, 1))
    assert june[e.pk] == Decimal("1662.68")  # 6188/12 = 515.67; (515.67 − 100) × 4
    assert july[e.pk] == Decimal("1743.68")  # 6431/12 = 535.92; (535.92 − 100) × 4


def test_zhongshan_dibao_with_a_classified_addon(in_bureau):
    with in_bureau("zhongshan"):
        e = dibao(persons=3, variant="unified", income="500", covered=3, addon=1)
        got, _ = amounts(datetime.date(2024, 6, 1))
    assert got[e.pk] == Decimal("2665.00")  # (1225 − 500) × 3 + 40% × 1225


def test_tekun_explicit_and_derived_standards(in_bureau):
    results = {}
    for schema, period, variant in [
        ("zhongshan", datetime.date(2024, 6, 1), "unified"),   # explicit 1960
        ("haifeng", datetime.date(2023, 6, 1), "rural"),       # explicit rural 1172
        ("haifeng", datetime.date(2022, 6, 1), "urban"),       # explicit urban 1479
        ("nanshan", datetime.date(2023, 6, 1), "unified"),     # derived ceil(1.6 × 1413 = 2260.8) = 2261
        ("guangzhou", datetime.date(2024, 6, 1), "unified"),   # derived ceil(1.6 × 1282 = 2051.2) = 2052
        ("guangzhou", datetime.date(2024, 6, 1), "urban"),     # no urban dibao: derived from unified, 2052
        ("xcity", datetime.date(2024, 7, 1), "rural"),         # explicit unified 956 beats the rural derivation
    ]:
        with in_bureau(schema):
            e = entitlement(programme="tekun", person=f.person(), variant=variant)
            got, _ = amounts(period)
            results[(schema, variant, period.year)] = got[e.pk]
    assert results == {
        ("zhongshan", "unified", 2024): Decimal("1960.00"),
        ("haifeng", "rural", 2023): Decimal("1172.00"),
        ("haifeng", "urban", 2022): Decimal("1479.00"),
        ("nanshan", "unified", 2023): Decimal("2261.00"),
        ("guangzhou", "unified", 2024): Decimal("2052.00"),
        ("guangzhou", "urban", 2024): Decimal("2052.00"),
        ("xcity", "rural", 2024): Decimal("956.00"),
    }


def test_tekun_derived_from_a_class_dibao_standard(in_bureau):
    with in_bureau("xcity"):
        from apps.benefits.models import Standard

        Standard.objects.filter(programme_id="tekun").delete()  # rolled back with the test
        rural = entitlement(programme="tekun", person=f.person(), variant="rural")
        urban = entitlement(programme="tekun", person=f.person(), variant="urban")
        got, _ = amounts(datetime.date(2024, 7, 1))
    assert got[urban.pk] == Decimal("956.00")  # ceil(1.3 × 735 = 955.5)
    assert got[rural.pk] == Decimal("697.00")  # ceil(1.3 × 535.92 = 696.696)


def test_other_programmes_pay_their_standard(in_bureau):
    with in_bureau("xcity"):
        old = entitlement(programme="longevity", person=f.person(), variant="100+")
        service = entitlement(programme="elderly_service", person=f.person())
        orphan = entitlement(programme="orphan", person=f.person(), variant="scattered")
        got, _ = amounts(datetime.date(2024, 7, 1))
    assert (got[old.pk], got[service.pk], got[orphan.pk]) == (Decimal("1000.00"), Decimal("50.00"), Decimal("1350.00"))


def test_tekun_care_by_care_level(in_bureau):
    with in_bureau("zhongshan"):
        from apps.benefits.models import Standard

        Standard.objects.filter(programme_id="tekun_care").delete()  # the seed's own, rolled back with the test
        f.standard("tekun_care", "300.00", datetime.date(2024, 1, 1), variant="partial")
        f.standard("tekun_care", "600.00", datetime.date(2024, 1, 1), variant="full")
        partial = entitlement(programme="tekun_care", person=f.person(), care_level="partial")
        full = entitlement(programme="tekun_care", person=f.person(), care_level="full")
        unknown = entitlement(programme="tekun_care", person=f.person(), care_level="self_care")
        got, run = amounts(datetime.date(2024, 6, 1))
    assert (got[partial.pk], got[full.pk]) == (Decimal("300.00"), Decimal("600.00"))
    assert unknown.pk not in got and run.detail["unpriced"] == 1  # no self_care standard: no line, counted


def test_no_line_for_a_zero_amount_or_a_programme_that_pays_nothing(in_bureau):
    with in_bureau("zhongshan"):
        rich = dibao(persons=1, variant="unified", income="1300", covered=1)
        marginal = entitlement(programme="dibao_marginal", household=f.household(f.person()), variant="unified")
        got, run = amounts(datetime.date(2024, 6, 1))
    assert rich.pk not in got and marginal.pk not in got
    assert run.detail["zero_amount"] == 1 and run.line_count == 0

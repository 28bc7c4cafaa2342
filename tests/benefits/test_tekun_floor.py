"""The 特困 floor (SPEC §4): an explicit 特困 standard never below ceil(k × the dibao standard in force).

The Python rule (apps.benefits.rules / StandardBook) and the SQL rate of the payment run
(apps/disbursement/sql/rates.sql) are held to the same worked numbers.
"""

import datetime
from decimal import Decimal

import pytest

from apps.benefits import rules
from apps.benefits.models import Standard
from apps.benefits.selectors import StandardBook, tekun_floor_warnings
from tests import factories as f
from tests.disbursement.test_amount_sql import amounts, entitlement

D = datetime.date


def test_rule_floor_over_a_lower_explicit_standard():
    # 中山 2025: dibao raised to 1300 without a new 特困 standard: ceil(1.6 × 1300) = 2080 > 1960.
    assert rules.tekun_basic(
        explicit_class=None,
        explicit_unified=Decimal("1960"),
        dibao_class=None,
        dibao_unified=Decimal("1300"),
        multiplier=Decimal("1.6"),
    ) == Decimal("2080.00")
    # x市 urban, after July 2024: an explicit 900 below ceil(1.3 × 735 = 955.5) = 956.
    assert rules.tekun_basic(
        explicit_class=None,
        explicit_unified=Decimal("900"),
        dibao_class=Decimal("735"),
        dibao_unified=None,
        multiplier=Decimal("1.3"),
    ) == Decimal("956.00")
    # x市 rural: 6431 a year = 535.92 a month; ceil(1.3 × 535.92 = 696.696) = 697 < 900: 900 stands.
    assert rules.tekun_basic(
        explicit_class=None,
        explicit_unified=Decimal("900"),
        dibao_class=Decimal("535.92"),
        dibao_unified=None,
        multiplier=Decimal("1.3"),
    ) == Decimal("900.00")
    assert rules.tekun_floor(dibao_class=None, dibao_unified=None, multiplier=Decimal("1.3")) is None


@pytest.mark.django_db
def test_zhongshan_2025_dibao_raise_lifts_tekun_and_warns(in_bureau):
    with in_bureau("zhongshan"):
        f.standard("dibao", "1300.00", D(2025, 1, 1))
        e = entitlement(programme="tekun", person=f.person())
        book = StandardBook.load()
        assert book.tekun_basic("unified", D(2024, 12, 1)) == Decimal("1960.00")
        assert book.tekun_basic("unified", D(2025, 1, 1)) == Decimal("2080.00")
        december, _ = amounts(D(2024, 12, 1))
        january, _ = amounts(D(2025, 1, 1))
        warnings = tekun_floor_warnings()
    assert (december[e.pk], january[e.pk]) == (Decimal("1960.00"), Decimal("2080.00"))
    assert warnings == [
        {
            "variant": "unified",
            "from_period": D(2025, 1, 1),
            "explicit": Decimal("1960.00"),
            "floor": Decimal("2080.00"),
        }
    ]


@pytest.mark.django_db
def test_xcity_urban_and_rural_floor(in_bureau):
    with in_bureau("xcity"):
        # The seeded unified 956 from July 2024 set to 900 (below the urban floor 956, above the rural 697).
        Standard.objects.filter(programme_id="tekun", variant="unified", effective_from=D(2024, 7, 1)).update(
            amount=Decimal("900.00")
        )
        urban = entitlement(programme="tekun", person=f.person(), variant="urban")
        rural = entitlement(programme="tekun", person=f.person(), variant="rural")
        book = StandardBook.load()
        python = (book.tekun_basic("urban", D(2024, 7, 1)), book.tekun_basic("rural", D(2024, 7, 1)))
        got, _ = amounts(D(2024, 7, 1))
        warnings = tekun_floor_warnings()
    assert python == (Decimal("956.00"), Decimal("900.00"))
    assert (got[urban.pk], got[rural.pk]) == (Decimal("956.00"), Decimal("900.00"))
    assert warnings == [
        {"variant": "urban", "from_period": D(2024, 7, 1), "explicit": Decimal("900.00"), "floor": Decimal("956.00")}
    ]


@pytest.mark.django_db
def test_the_seeded_standards_need_no_floor(in_bureau):
    for schema in ("zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"):
        with in_bureau(schema):
            assert tekun_floor_warnings() == [], schema

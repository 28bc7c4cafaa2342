"""Credit codes, deadlines, rating validity and rates, with the numbers written out."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.socialorgs import rules

D = datetime.date


def _message(code: str, org_type: str, area: str = "442000") -> str:
    with pytest.raises(ValidationError) as caught:
        rules.parse_credit_code(code, org_type=org_type, bureau_area_code=area)
    return caught.value.messages[0]


def test_a_valid_code_of_a_zhongshan_social_group():
    assert (
        rules.parse_credit_code("51442000MJ0000001J", org_type="social_group", bureau_area_code="442000")
        == "51442000MJ0000001J"
    )
    # Lower case and blanks are normalised.
    assert (
        rules.parse_credit_code(" 51442000mj0000001j ", org_type="social_group", bureau_area_code="442000")
        == "51442000MJ0000001J"
    )


def test_a_guangzhou_district_code_is_issued_by_the_city_bureau():
    assert (
        rules.parse_credit_code("52440103MJ00000017", org_type="service_institution", bureau_area_code="440100")
        == "52440103MJ00000017"
    )


def test_wrong_check_character():
    assert _message("51442000MJ0000001K", "social_group") == (
        "The check character (position 18) of 51442000MJ0000001K is wrong: it should be J."
    )


def test_authority_code_9_instead_of_5():
    assert _message("91442000MJ0000001E", "social_group") == (
        "The registration authority code (position 1) is 9; a social organisation registered by civil affairs has 5."
    )


def test_a_foundation_with_type_digit_1():
    assert _message("51442000MJ0000001J", "foundation") == (
        "The type code (position 2) is 1; this type of organisation has 3 (1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他)."
    )


def test_an_area_code_of_another_province():
    assert _message("51110105MJ0000001N", "social_group") == (
        "The area code (positions 3-8) is 110105; this bureau registers organisations under 4420xx."
    )


def test_length_and_alphabet():
    assert _message("51442000MJ", "social_group") == (
        "A unified social credit code has 18 characters; 51442000MJ has 10."
    )
    assert _message("51442000MJ000000IJ", "social_group").startswith("I cannot appear")


def test_deadlines_and_the_year_due():
    assert rules.report_deadline(2023, "05-31") == D(2024, 5, 31)
    assert rules.last_year_due(D(2024, 5, 31), "05-31") == 2022
    assert rules.last_year_due(D(2024, 6, 1), "05-31") == 2023
    assert rules.report_required(established_on=D(2022, 12, 31), closed_on=None, year=2023, deadline_mm_dd="05-31")
    assert not rules.report_required(established_on=D(2023, 1, 1), closed_on=None, year=2023, deadline_mm_dd="05-31")
    assert not rules.report_required(
        established_on=D(2020, 1, 1), closed_on=D(2024, 3, 1), year=2023, deadline_mm_dd="05-31"
    )


def test_a_rating_holds_five_years():
    assert rules.rating_valid_until(D(2019, 3, 1)) == D(2024, 3, 1)
    assert rules.rating_valid_on(rated_on=D(2019, 3, 1), day=D(2024, 2, 29))
    assert not rules.rating_valid_on(rated_on=D(2019, 3, 1), day=D(2024, 3, 1))
    assert rules.rating_valid_until(D(2020, 2, 29)) == D(2025, 2, 28)


def test_dishonesty_due_after_the_period():
    assert rules.dishonesty_due_on(D(2022, 6, 1), 24) == D(2024, 6, 1)
    assert rules.dishonesty_due_on(D(2023, 8, 31), 6) == D(2024, 2, 29)


def test_rates():
    assert rules.rate_percent(17, 19) == Decimal("89.47")
    assert rules.rate_percent(1624, 1750) == Decimal("92.80")
    assert rules.rate_percent(0, 0) is None

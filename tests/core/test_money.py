"""Money typed by a person: one parser, one set of messages (apps.core.money)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core import money as rules
from apps.core.money import money_input

D = Decimal


@pytest.mark.parametrize("value, expected", [("12.345", "12.35"), (" 100 ", "100.00"), (0, "0.00"),
                                             (12.1, "12.10")])
def test_parse_money(value, expected):
    assert rules.parse_money(value) == D(expected)


@pytest.mark.parametrize("value, problem", [("abc", "not a number"), ("", "not a number"), (None, "not a number"),
                                            ("NaN", "not a number"), ("Infinity", "not a number"),
                                            ("-0.01", "negative"), (True, "not a number")])
def test_parse_money_refuses(value, problem):
    with pytest.raises(ValueError, match=problem):
        rules.parse_money(value)


def test_money_input_names_the_field():
    assert money_input("amount", "1596", label="The amount") == D("1596.00")
    with pytest.raises(ValidationError) as refused:
        money_input("amount", "-5", label="The amount")
    assert refused.value.message_dict == {"amount": ["The amount cannot be negative (-5)."]}
    with pytest.raises(ValidationError) as refused:
        money_input("cost", "abc", label="The cost")
    assert refused.value.message_dict == {"cost": ["The cost must be a number of yuan, not 'abc'."]}
    assert money_input("amount", "-5", label="The amount", allow_negative=True) == D("-5.00")


def test_format_yuan_writes_money_as_on_a_chinese_screen():
    from decimal import Decimal

    from apps.core.money import format_yuan

    assert format_yuan(Decimal("17521604.01")) == "¥17,521,604.01"
    assert format_yuan(Decimal("0.005")) == "¥0.01"  # ROUND_HALF_UP
    assert format_yuan(Decimal("-1225")) == "-¥1,225.00"
    assert format_yuan(None) == "—"

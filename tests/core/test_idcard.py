"""居民身份证号 rules (apps.core.idcard.parse_id_number), as the people services apply them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.core.idcard import mask_account, mask_id_number, parse_id_number

TODAY = datetime.date(2026, 1, 1)


def refusal(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(value, today=TODAY)
    return caught.value.messages[0]


def test_valid_number_gives_birth_date_gender_and_area():
    facts = parse_id_number("11010519491231002X", today=TODAY)
    assert facts.number == "11010519491231002X"
    assert facts.birth_date == datetime.date(1949, 12, 31)
    assert facts.gender == "F"  # 002: even order code
    assert facts.area_code == "110105"


def test_lower_case_x_is_normalised():
    assert parse_id_number(" 11010519491231002x ", today=TODAY).number == "11010519491231002X"


def test_wrong_check_character_names_the_right_one():
    assert refusal("110105194912310021") == "The check character of 110105194912310021 should be X."


def test_impossible_date():
    assert refusal("442000198002301234") == "19800230 is not a date of birth."


def test_future_birth_date():
    assert refusal("44200020991231001X") == "The date of birth 2099-12-31 is in the future."


def test_unknown_area_code():
    assert refusal("999999198001011234") == "999999 is not a known area code."


def test_fifteen_digit_legacy_number_is_refused_clearly():
    assert refusal("110105491231002") == (
        "110105491231002 is a 15-digit first-generation ID number; enter the 18-character number.")


def test_wrong_length_and_characters():
    assert refusal("4420001980010100") == "An ID number has 18 characters; 4420001980010100 has 16."
    assert refusal("44200019800101A01X") == "An ID number is 17 digits and a check character (a digit or X)."


def test_masks():
    assert mask_id_number("44200019800101123X") == "442***********123X"
    assert mask_account("6222000011112222333") == "6222***********2333"

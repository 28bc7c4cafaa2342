"""Values on a Chinese screen: ¥17,521,604.01, 2026年11月8日, times in Asia/Shanghai, classification reasons
and history changes in words."""

import datetime
from decimal import Decimal

from django.utils import translation

from apps.assistance.reasons import reason_text
from apps.core import display


def test_money_is_grouped_with_the_yuan_sign():
    assert display.money(Decimal("17521604.01")) == "¥17,521,604.01"
    assert display.money(Decimal("0.005")) == "¥0.01"
    assert display.money(Decimal("-12.5")) == "-¥12.50"
    assert display.money(None) == ""


def test_dates_and_times_read_in_chinese_in_the_bureaus_time_zone():
    with translation.override("zh-hans"):
        assert display.date(datetime.date(2026, 11, 8)) == "2026年11月8日"
        # 18:30 UTC is 02:30 the next day in Asia/Shanghai.
        moment = datetime.datetime(2026, 11, 7, 18, 30, tzinfo=datetime.UTC)
        assert display.datetime_(moment).startswith("2026年11月8日 02:30")


def test_the_classification_reason_is_a_chinese_sentence():
    with translation.override("zh-hans"):
        assert reason_text("per-capita income 573.00 < standard 1225.00") == (
            "家庭月人均收入¥573.00低于保障标准¥1,225.00"
        )
        assert reason_text("the assets test was not passed") == "家庭财产核查未通过"
        assert reason_text("something else") == "something else"


def test_json_is_shown_as_labelled_lines():
    assert display.json_lines(["442000", "442001"]) == "442000、442001"
    assert str(display.json_lines({"lines": 3}, {"lines": "行数"})) == "<div>行数：3</div>"

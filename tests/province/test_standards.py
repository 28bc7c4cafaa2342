"""Standards against provincial minimums: ratio, rank among the province's bureaus and reference cities, alert."""

import datetime
from decimal import Decimal

import pytest

from apps.province import selectors
from apps.province.models import ReferenceStandard
from tenants.models import ProvincialMinimum

pytestmark = pytest.mark.django_db

ON = datetime.date(2024, 12, 15)


def _row(rows, bureau):
    return next(r for r in rows if r["bureau"] == bureau and r["programme"] == "dibao")


def test_ratio_rank_and_below_minimum(rollup):
    # Bootstrap loaded class 2's minimum (1,075) from 中山's report; class 1's here is a test figure.
    assert ProvincialMinimum.objects.get(province="广东省", region_class=2, programme="dibao").amount == Decimal(
        "1075.00"
    )
    ProvincialMinimum.objects.create(
        province="广东省",
        region_class=1,
        programme="dibao",
        amount=Decimal("1300"),
        effective_from=datetime.date(2024, 1, 1),
        source="test",
    )
    # Three reference cities (test figures) so the ranks read like the report's "6th in the province".
    for code, amount in (("449901", "1500"), ("449902", "1300"), ("449903", "1250")):
        ReferenceStandard.objects.create(
            name_zh=f"测试市{code}",
            area_code=code,
            province="广东省",
            region_class=3,
            programme="dibao",
            monthly_amount=Decimal(amount),
            effective_from=datetime.date(2024, 1, 1),
            source="test",
        )
    for schema in ("zhongshan", "guangzhou", "nanshan", "haifeng", "xcity"):
        rollup(schema)

    rows = selectors.standards_table(on=ON)
    zs = _row(rows, "zhongshan")
    assert zs["standard"] == Decimal("1225.00")
    assert zs["minimum"] == Decimal("1075.00")
    assert zs["ratio"] == Decimal("1.1395")
    assert zs["percent_above"] == Decimal("14")
    # 1500, 1413 (南山), 1300, 1282 (广州), 1250, 1225 (中山), 961 (海丰 urban)
    assert zs["rank"] == 6 and zs["ranked_among"] == 7
    assert zs["below_minimum"] is False

    gz = _row(rows, "guangzhou")
    assert (gz["standard"], gz["minimum"], gz["ratio"], gz["rank"]) == (
        Decimal("1282.00"),
        Decimal("1300.00"),
        Decimal("0.9862"),
        4,
    )
    assert gz["below_minimum"] is True
    ns = _row(rows, "nanshan")
    assert (ns["standard"], ns["ratio"], ns["rank"]) == (Decimal("1413.00"), Decimal("1.0869"), 2)
    hf = _row(rows, "haifeng")
    assert (hf["standard"], hf["minimum"], hf["ratio"], hf["rank"]) == (Decimal("961.00"), None, None, 7)
    # x市 is outside Guangdong: ranked in its own province, with no minimum recorded for it.
    xc = _row(rows, "xcity")
    assert (xc["minimum"], xc["rank"], xc["ranked_among"]) == (None, 1, 1)

    alerts = [a for a in selectors.alert_list(today=ON) if a["kind"] == "below_minimum"]
    assert [a["bureau"] for a in alerts] == ["guangzhou"]
    assert "1282.00" in alerts[0]["message"] and "1300.00" in alerts[0]["message"]

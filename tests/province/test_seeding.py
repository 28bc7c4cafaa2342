"""seeds/province.yaml: only cities with a figure and a source become reference rows; the gaps are listed."""

import pytest

from apps.province.models import ReferenceStandard
from apps.province.seeding import reference_standards_load

pytestmark = pytest.mark.django_db


def test_no_figure_is_invented():
    lines = reference_standards_load()
    assert len(lines) == 18  # the prefecture cities of Guangdong other than 广州, 深圳 and 中山
    assert all("no 2024 figure found" in line for line in lines)
    assert ReferenceStandard.objects.count() == 0


def test_a_found_city_needs_a_source(tmp_path):
    path = tmp_path / "province.yaml"
    path.write_text(
        "reference_year: 2024\nprogramme: dibao\nprovince: 广东省\ncities:\n"
        "  - {name_zh: 测试市, area_code: '449999', amount: 1000, found: true, source: null}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="without an amount and a source"):
        reference_standards_load(path=path)
    path.write_text(path.read_text(encoding="utf-8").replace("source: null", "source: 测试来源"), encoding="utf-8")
    assert reference_standards_load(path=path) == ["+ created 测试市 1000"]
    assert reference_standards_load(path=path) == ["= unchanged 测试市 1000"]
    assert ReferenceStandard.objects.get().monthly_amount == 1000

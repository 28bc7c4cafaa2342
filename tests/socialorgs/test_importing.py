"""The Excel import: all or nothing, every problem listed; the export neutralises formulas."""

import io

from openpyxl import Workbook, load_workbook

from apps.socialorgs import importing
from apps.socialorgs.models import SocialOrganisation, StatusChange


def _workbook(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in importing.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _row(name, code, town, org_type="社会团体"):
    return [
        name,
        code,
        org_type,
        town,
        "2020-01-01",
        "中民社登〔2020〕1号",
        "张三",
        "442000198001010033",
        "",
        "1000",
        "",
        "否",
        "",
    ]


def test_one_bad_credit_code_writes_nothing(zs, user_of):
    town, _ = zs
    before = SocialOrganisation.objects.count()
    result = importing.organisations_import(
        file=_workbook(
            [
                _row("甲协会", "51442000MJ0000001J", town.name),
                _row("乙协会", "51442000MJ0000002L", town.name),  # the check character should be M
                _row("丙基金会", "53442000MJ0000003J", town.name, "基金会"),
            ]
        ),
        user=user_of("zhongshan", "reviewer"),
    )
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "row 3, 统一社会信用代码: The check character (position 18) of 51442000MJ0000002L is wrong: it should be M."
    ]
    assert SocialOrganisation.objects.count() == before


def test_a_good_file_is_imported_with_its_decisions_and_exported_neutralised(zs, user_of):
    town, _ = zs
    result = importing.organisations_import(
        file=_workbook(
            [
                _row("@HYPERLINK协会", "51442000MJ0000001J", town.name),
                _row("丙基金会", "53442000MJ0000003J", town.name, "基金会"),
            ]
        ),
        user=user_of("zhongshan", "reviewer"),
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 2
    assert (
        StatusChange.objects.filter(organisation__name="丙基金会", document_number="中民社登〔2020〕1号").count() == 1
    )
    buffer = io.BytesIO()
    importing.export_workbook(SocialOrganisation.objects.order_by("name")).save(buffer)
    buffer.seek(0)
    rows = list(load_workbook(buffer).active.iter_rows(values_only=True))
    assert rows[1][0] == "'@HYPERLINK协会"
    assert rows[1][7] == "442***********0033"


def test_a_caseworker_may_not_import(zs, user_of):
    town, _ = zs
    result = importing.organisations_import(
        file=_workbook([_row("甲协会", "51442000MJ0000001J", town.name)]), user=user_of("zhongshan", "caseworker1")
    )
    assert not result.ok and "socialorgs.add_socialorganisation" in result.errors[0].message

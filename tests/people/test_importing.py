"""Excel import: every row checked first, every problem listed (row, column, reason), all or nothing."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from apps.people.importing import COLUMNS, people_import
from apps.people.models import Community, Household, HouseholdMember, Person

pytestmark = pytest.mark.django_db

HEADER = ["户编号", "与户主关系", "姓名", "公民身份号码", "户籍类别", "镇街", "村居", "联系电话", "银行账号", "开户行", "月收入"]


def workbook(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def good_rows(town, id_number):
    return [
        ["ZS-IMP-1", "户主", "黄一", id_number(41), "城镇", town.name, "新安社区", "13800000001", "6222000000000000001", "农业银行", "1500"],
        ["ZS-IMP-1", "配偶", "林二", id_number(42, gender="F"), "城镇", town.name, "新安社区", "", "", "", "800.50"],
        ["ZS-IMP-1", "子女", "黄三", id_number(43, birth=datetime.date(2015, 3, 1)), "城镇", town.name, "新安社区", "", "", "", ""],
        ["ZS-IMP-2", "户主", "陈四", id_number(44).lower().replace("X", "x"), "农村", town.name, "", "", "", "", "0"],
    ]


def test_a_good_workbook_is_imported_whole(zs, id_number):
    town, _ = zs
    user = get_user_model().objects.get(username="zhongshan-caseworker1")
    result = people_import(file=workbook(good_rows(town, id_number)), user=user, source="good.xlsx")
    assert result.ok, result.errors
    assert (result.rows, result.persons_created, result.households_created, result.members_added,
            result.communities_created) == (4, 4, 2, 4, 1)
    household = Household.objects.get(code="ZS-IMP-1")
    assert household.community == Community.objects.get(town=town, name="新安社区")
    assert [(m.person.name, m.relation) for m in household.members.order_by("id")] == [
        ("黄一", "head"), ("林二", "spouse"), ("黄三", "child")]
    child = Person.objects.get(name="黄三")
    assert (child.birth_date, child.gender, child.town) == (datetime.date(2015, 3, 1), "M", town)
    assert str(Person.objects.get(name="林二").monthly_income) == "800.50"
    # Imported rows have their creation in the history, by the importing user.
    record = Person.objects.get(name="黄一").history.get()
    assert record.history_type == "+" and record.history_user == user
    assert record.history_change_reason == "Excel import good.xlsx"


def test_every_problem_is_listed_and_nothing_is_imported(zs, id_number, person_in):
    town, other = zs
    from apps.people import services

    settled = person_in(town, 45, name="已入户")
    services.household_member_add(household=services.household_create(town=town, hukou_class="urban",
                                                                       code="ZS-OLD-1"),
                                  person=settled, relation="head")
    rows = good_rows(town, id_number) + [
        ["ZS-IMP-3", "户主", "错码", "110105194912310021", "城镇", town.name, "", "", "", "", ""],
        ["ZS-IMP-3", "配偶", "未来", "44200020991231001X", "城镇", town.name, "", "", "", "", ""],
        ["ZS-IMP-4", "户主", "无镇", id_number(46), "城镇", "不存在镇", "", "", "", "", ""],
        ["ZS-IMP-1", "子女", "重复", id_number(41), "城镇", town.name, "", "", "", "", ""],
        ["ZS-IMP-5", "户主", "已入户", settled.id_number, "城镇", town.name, "", "", "", "", ""],
        ["ZS-IMP-6", "配偶", "无户主", id_number(47), "乡下", town.name, "", "123", "12ab", "", "-5"],
        ["ZS-IMP-7", "户主", "两镇", id_number(48), "城镇", town.name, "", "", "", "", ""],
        ["ZS-IMP-7", "子女", "两镇", id_number(49), "城镇", other.name, "", "", "", "", ""],
    ]
    persons, households = Person.objects.count(), Household.objects.count()
    result = people_import(file=workbook(rows))
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (6, "公民身份号码", "The check character of 110105194912310021 should be X."),
        (7, "公民身份号码", "The date of birth 2099-12-31 is in the future."),
        (8, "镇街", f"不存在镇 is not a town of this bureau ({'、'.join(sorted(t.name for t in type(town).objects.all()))})."),
        (9, "公民身份号码", f"{id_number(41)} is also on row 2."),
        (10, "公民身份号码", f"已入户 ({settled.id_number}) is already a member of household ZS-OLD-1."),
        (11, "与户主关系", "New household ZS-IMP-6 has no 户主 (head of household) row."),
        (11, "户籍类别", "乡下 is not a hukou class; use 城镇 (urban) or 农村 (rural)."),
        (11, "联系电话", "123 is not a phone number."),
        (11, "银行账号", "A bank account number is 12 to 19 digits; 12ab is not."),
        (11, "月收入", "An income cannot be negative."),
        (13, "镇街", f"Household ZS-IMP-7 is in {town.name}; this row says {other.name}."),
    ]
    assert (Person.objects.count(), Household.objects.count()) == (persons, households)
    assert not Community.objects.filter(name="新安社区").exists()


def test_header_problems_stop_before_the_rows(zs):
    result = people_import(file=workbook([["x"]], header=["户编号", "姓名", "身份证"]))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (1, "身份证", "Unknown column 身份证; the columns are: " + "、".join(c.header for c in COLUMNS) + "."),
        (1, "与户主关系", "The column is missing."),
        (1, "公民身份号码", "The column is missing."),
        (1, "户籍类别", "The column is missing."),
        (1, "镇街", "The column is missing."),
    ]


def test_not_a_workbook(zs):
    result = people_import(file=io.BytesIO(b"name,id\n"))
    assert len(result.errors) == 1 and result.errors[0].message.startswith("The file is not an Excel workbook")


def test_caseworker_imports_only_their_own_town(zs, id_number):
    town, other = zs
    user = get_user_model().objects.get(username="zhongshan-caseworker1")
    rows = [["ZS-IMP-8", "户主", "外镇", id_number(50), "城镇", other.name, "", "", "", "", ""]]
    result = people_import(file=workbook(rows), user=user)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "镇街", f"{other.name} is outside your town; you can only import your own town's people.")]


def test_a_registered_person_without_household_joins_the_new_one(zs, id_number, person_in):
    town, _ = zs
    loner = person_in(town, 51, name="单身")
    rows = [["ZS-IMP-9", "户主", "单身", loner.id_number, "城镇", town.name, "", "", "", "", ""],
            ["ZS-IMP-9", "子女", "新生", id_number(52, birth=datetime.date(2020, 1, 1)), "城镇", town.name, "", "", "", "", ""]]
    result = people_import(file=workbook(rows))
    assert result.ok and (result.persons_created, result.persons_linked) == (1, 1)
    assert HouseholdMember.objects.get(person=loner).household.code == "ZS-IMP-9"


def test_admin_upload_and_result_pages(zs, login_as, id_number):
    town, _ = zs
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert "Import" in client.get("/admin/people/person/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert client.get("/admin/people/person/import/").status_code == 200
    template = client.get("/admin/people/person/import/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")

    bad = workbook([["ZS-IMP-10", "户主", "错码", "110105194912310021", "城镇", town.name, "", "", "", "", ""]])
    bad.name = "bad.xlsx"
    page = client.post("/admin/people/person/import/", {"file": bad})
    assert page.status_code == 200
    assert [(e.row, e.column) for e in page.context["result"].errors] == [(2, "公民身份号码")]
    assert "110105194912310021" in page.content.decode()

    good = workbook(good_rows(town, id_number))
    good.name = "good.xlsx"
    page = client.post("/admin/people/person/import/", {"file": good})
    assert page.context["result"].ok and page.context["result"].persons_created == 4
    # The auditor may not import.
    assert login_as("zhongshan", "zhongshan-auditor").get("/admin/people/person/import/").status_code == 403


def test_import_command(zs, id_number, tmp_path):
    town, _ = zs
    path = tmp_path / "people.xlsx"
    path.write_bytes(workbook(good_rows(town, id_number)).getvalue())
    out = io.StringIO()
    call_command("import_people", str(path), tenant="zhongshan", stdout=out)
    assert "4 persons created" in out.getvalue()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_people", str(path), tenant="zhongshan", stdout=io.StringIO(), stderr=io.StringIO())


def test_ten_thousand_rows_well_under_a_minute(zs, tmp_path):
    import time

    from apps.core.idcard import make_id_number

    towns = list(type(zs[0]).objects.values_list("name", flat=True))
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(10_000):
        household, member = divmod(i, 4)  # 2,500 households of four
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i)
        sheet.append([f"BULK-{household:05d}", "户主" if member == 0 else "子女", f"批量{i}",
                      make_id_number("442000", birth, 100 + member, "M"), "农村", towns[household % len(towns)],
                      f"第{household % 9}村", "13800000000", "6222000000000000000", "农业银行", "1000"])
    path = tmp_path / "bulk.xlsx"
    book.save(path)
    started = time.monotonic()
    result = people_import(file=str(path))
    elapsed = time.monotonic() - started
    assert result.ok, result.errors[:5]
    assert (result.persons_created, result.households_created, result.members_added) == (10_000, 2_500, 10_000)
    assert elapsed < 60, elapsed

"""The statistics API (stats/annual, fidelity, monthly, XLSX) and the bureau admin's 年度统计 page."""

import io
from decimal import Decimal

import openpyxl
import pytest

from apps.statistics.models import AnnualSnapshot, ReportedFigure

pytestmark = pytest.mark.django_db


def test_annual_figures_by_api(login_as):
    client = login_as("zhongshan", "zhongshan-finance")
    response = client.get("/api/v1/stats/annual/?year=2024")
    assert response.status_code == 200
    body = response.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert body["year"] == 2024 and body["computed_at"] is None  # computed now, not stored
    assert figures["benefits.dibao_households"] == {
        "key": "benefits.dibao_households",
        "value": "0",
        "unit": "household",
        "group": "caseload",
        "note": "",
        "label": figures["benefits.dibao_households"]["label"],
    }
    assert figures["disbursement.dibao_paid"]["value"] == "0.00"


@pytest.mark.parametrize("query", ["", "?year=", "?year=abc", "?year=1999", "?year=20240"])
def test_a_bad_year_is_a_400_naming_the_field(login_as, query):
    response = login_as("zhongshan", "zhongshan-finance").get(f"/api/v1/stats/annual/{query}")
    assert response.status_code == 400
    assert "year" in response.json()


def test_reading_needs_a_login(client_for):
    assert client_for("zhongshan").get("/api/v1/stats/annual/?year=2024").status_code in (401, 403)


def test_computing_needs_the_permission(login_as, in_bureau):
    caseworker = login_as("zhongshan", "zhongshan-caseworker1")
    assert caseworker.post("/api/v1/stats/annual/compute/", {"year": 2024}).status_code == 403
    finance = login_as("zhongshan", "zhongshan-finance")
    response = finance.post("/api/v1/stats/annual/compute/", {"year": 2024})
    assert response.status_code == 200 and response.json()["computed_at"]
    with in_bureau("zhongshan"):
        assert AnnualSnapshot.objects.filter(year=2024).exists()


def test_fidelity_by_api(login_as):
    response = login_as("zhongshan", "zhongshan-auditor").get("/api/v1/stats/fidelity/?year=2024")
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()["rows"]}
    assert (
        rows["dibao_households"]["computed"],
        rows["dibao_households"]["reported"],
        rows["dibao_households"]["difference"],
        rows["dibao_households"]["percent"],
    ) == ("0", "3469", "-3469", "-100.00")
    assert rows["dibao_paid"]["reported"] == "101040000.00" and rows["dibao_paid"]["phrase"]
    assert rows["dilapidated_housing_renovated"]["status"] == "not_computed"


def test_monthly_series_by_api(login_as):
    response = login_as("zhongshan", "zhongshan-approver").get("/api/v1/stats/monthly/?last=2024-12&months=24")
    assert response.status_code == 200
    assert response.json()["periods"][0] == "2023-01" and response.json()["periods"][-1] == "2024-12"
    assert login_as("zhongshan", "zhongshan-approver").get("/api/v1/stats/monthly/?last=2024-13").status_code == 400


def test_xlsx_is_a_neutralised_annual_table(login_as, in_bureau):
    with in_bureau("zhongshan"):
        figure = ReportedFigure.objects.get(key="dibao_households", period=2024)
        figure.label = '=HYPERLINK("http://x")'
        figure.save()
    response = login_as("zhongshan", "zhongshan-finance").get("/api/v1/stats/annual/xlsx/?year=2024")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    table, compare = book.worksheets
    assert table["A1"].value == "中山市民政局 2024年度统计"
    labels = [row[0] for row in compare.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in labels
    values = {row[0]: row[1:3] for row in compare.iter_rows(min_row=2, values_only=True)}
    assert values['\'=HYPERLINK("http://x")'] == (0, 3469)


def test_the_admin_page_in_chinese(login_as, in_bureau):
    with in_bureau("zhongshan"):
        snapshot = AnnualSnapshot.objects.create(year=2024)
        snapshot.figures.create(
            key="disbursement.dibao_paid",
            value=Decimal("101040000.00"),
            unit="yuan",
            label="最低生活保障: 年内发放",
            group="paid",
        )
    client = login_as("zhongshan", "zhongshan-admin")
    page = client.get("/admin/statistics/annualsnapshot/?year=2024", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200
    assert "¥101,040,000.00" in text
    assert 'title="“共发放低保金10104万元” (000_0d46cd3eb0266ada.txt)' in text  # the report's phrase, on hover
    assert "2024年度统计" in text and "与年度报告对照" in text
    xlsx = client.get("/admin/statistics/annualsnapshot/xlsx/?year=2024")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_every_gap_shows_its_reason_or_that_none_was_given(login_as):
    # 中山's registry keeps meals a month, so its 约130万 meals come out 4 short at best, and the seeds
    # say why; here nothing is recorded yet: 0 against 1,300,000 is still the gap the reason explains,
    # while 0 against 3,469 households is a gap no one has explained.
    client = login_as("zhongshan", "zhongshan-auditor")
    chinese = client.get("/api/v1/stats/fidelity/?year=2024", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["rows"]
    rows = {row["key"]: row for row in chinese}
    meals = rows["meals_served"]
    assert (meals["within"], meals["unexplained"]) == (False, False)
    assert meals["gap_reason"].startswith("长者饭堂登记的是每月就餐人次")
    english = client.get("/api/v1/stats/fidelity/?year=2024", HTTP_ACCEPT_LANGUAGE="en").json()["rows"]
    assert {row["key"]: row for row in english}["meals_served"]["gap_reason"].startswith(
        "The registry keeps each meal site's meals a month"
    )
    households = rows["dibao_households"]
    assert (households["within"], households["gap_reason"], households["unexplained"]) == (False, "", True)
    assert rows["dilapidated_housing_renovated"]["unexplained"] is False  # not computed: not a gap

    admin = login_as("zhongshan", "zhongshan-admin")
    text = admin.get("/admin/statistics/annualsnapshot/?year=2024", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "差异原因" in text and "长者饭堂登记的是每月就餐人次" in text
    assert '<tr class="unexplained">' in text and "超出允许范围，且未说明原因。" in text

    xlsx = admin.get("/admin/statistics/annualsnapshot/xlsx/?year=2024", HTTP_ACCEPT_LANGUAGE="zh-hans")
    compare = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).worksheets[1]
    header = next(compare.iter_rows(min_row=1, max_row=1, values_only=True))
    assert header[8] == "差异原因"
    reasons = {row[0]: row[8] for row in compare.iter_rows(min_row=2, values_only=True)}
    assert reasons["长者饭堂就餐人次"].startswith("长者饭堂登记的是每月就餐人次")
    assert reasons["低保对象户数"] == "超出允许范围，且未说明原因。"

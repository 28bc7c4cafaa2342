"""The province dashboard in a real browser: the overseer logs in on the public host, reads the
bureaus' standards against the minimum with ratio and rank, sees the charts draw on their canvases,
drills into one bureau (its figures, its charts) and downloads tables as XLSX."""

import datetime
from decimal import Decimal

from django_tenants.utils import schema_context
from openpyxl import load_workbook

BUREAUS = ("zhongshan", "guangzhou", "nanshan", "haifeng", "xcity")
PASSWORD = "civaffairs-demo"
ON = datetime.date(2024, 12, 15)
PLANTED = "browser test"
DECEMBER = "2024-12"
CHARTS = ("chart-standards", "chart-caseload", "chart-amounts", "chart-health", "chart-backlog")


def _plant():
    """The five bureaus' rollups, class 1's minimum and three reference cities (test figures, as in
    tests/province/test_standards.py), so 中山 ranks 6th of 7 as its report says."""
    from apps.province.models import ReferenceStandard
    from apps.province.services import bureau_rollup_write
    from tenants.models import ProvincialMinimum

    ProvincialMinimum.objects.create(
        province="广东省",
        region_class=1,
        programme="dibao",
        amount=Decimal("1300"),
        effective_from=datetime.date(2024, 1, 1),
        source="browser test",
    )
    for code, amount in (("449901", "1500"), ("449902", "1300"), ("449903", "1250")):
        ReferenceStandard.objects.create(
            name_zh=f"测试市{code}",
            area_code=code,
            province="广东省",
            region_class=3,
            programme="dibao",
            monthly_amount=Decimal(amount),
            effective_from=datetime.date(2024, 1, 1),
            source="browser test",
        )
    with schema_context("zhongshan"):
        _zhongshan_caseload()
    for schema in BUREAUS:
        bureau_rollup_write(schema_name=schema, today=ON)


def _zhongshan_caseload():
    """Two 低保 households (3 and 2 members covered) from January 2024: in December 2 households, 5 persons."""
    from tests import factories as f

    for size in (3, 2):
        members = [f.person(name=f"浏览器测试{size}{i}") for i in range(size)]
        f.entitlement(
            programme="dibao",
            household=f.household(*members),
            start_period=datetime.date(2024, 1, 1),
            per_capita_income=Decimal("0"),
            covered_members=size,
            source=PLANTED,
        )


def _names() -> dict[str, str]:
    from tenants.models import Bureau

    return dict(Bureau.objects.filter(schema_name__in=BUREAUS).values_list("schema_name", "name_zh"))


def _dibao_label() -> str:
    from django.utils import translation

    from apps.benefits.models import ProgrammeCode

    with translation.override("zh-hans"):
        return str(ProgrammeCode.DIBAO.label)


def _unplant():
    from apps.province import models
    from tenants.models import ProvincialMinimum

    models.DuplicateResolution.objects.all().delete()
    models.DuplicateAlert.objects.all().delete()
    for model in (
        models.StandardRollup,
        models.MonthlyRollup,
        models.AnnualRollup,
        models.HealthRollup,
        models.PublishedHash,
        models.RollupRefresh,
    ):
        model.objects.filter(bureau__schema_name__in=BUREAUS).delete()
    models.ReferenceStandard.objects.filter(source="browser test").delete()
    with schema_context("zhongshan"):
        from apps.benefits.models import Entitlement
        from apps.people.models import Household, HouseholdMember, Person

        planted = Entitlement.objects.filter(source=PLANTED)
        households = list(planted.values_list("household_id", flat=True))
        persons = list(HouseholdMember.objects.filter(household_id__in=households).values_list("person_id", flat=True))
        planted.delete()
        HouseholdMember.objects.filter(household_id__in=households).delete()
        Household.objects.filter(id__in=households).delete()
        Person.objects.filter(id__in=persons).delete()
    ProvincialMinimum.objects.filter(source="browser test").delete()


def _canvas_painted(page, chart_id: str) -> bool:
    """Whether ECharts drew on the chart's canvas: some pixel is not transparent."""
    return page.evaluate(
        """(id) => {
            const canvas = document.querySelector('#' + id + ' canvas');
            if (!canvas || !canvas.width || !canvas.height) return false;
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
            return false;
        }""",
        chart_id,
    )


def test_the_overseer_reads_the_charts_drills_into_a_bureau_and_downloads_xlsx(
    browser, live_url, committed, page_as, tmp_path
):
    # page_as is not used to log in (the overseer types the password here); its teardown closes this
    # thread's connection before the session drops the test database.
    context = browser.new_context(base_url=live_url("public"), locale="zh-CN")
    try:
        committed(_plant)
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_url("public")}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto("/")
        page.wait_for_url("**/admin/login/**")
        page.fill("#id_username", "overseer")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(live_url("public") + "/")
        assert "全省民政监管" in page.content()

        # The standards table: 中山's dibao 1,225.00 against the class-2 minimum 1,075.00, ratio
        # 1.1395 (14% above), 6th of 7 (1500, 南山 1413, 1300, 广州 1282, 1250, 中山 1225, 海丰 961).
        rows = page.locator('table[data-table="standards"] tbody tr')
        zhongshan = (
            rows.filter(has_text="中山市民政局").filter(has_text="1,225.00").first.locator("td").all_inner_texts()
        )
        assert "1,075.00" in zhongshan and "1.1395" in zhongshan
        assert zhongshan[-3:-1] == ["6", "7"], zhongshan
        guangzhou = (
            rows.filter(has_text="广州市民政局").filter(has_text="1,282.00").first.locator("td").all_inner_texts()
        )
        assert "1,300.00" in guangzhou and "0.9862" in guangzhou and guangzhou[-3:-1] == ["4", "7"], guangzhou
        for name in ("中山市民政局", "广州市民政局", "海丰县民政局", "深圳市南山区民政局"):
            assert rows.filter(has_text=name).count() >= 1, name

        # Every chart is drawn: ECharts marks its container and paints its canvas.
        for chart_id in CHARTS:
            page.wait_for_selector(f"#{chart_id}[data-rendered='1'] canvas")
            page.wait_for_function(
                "(id) => { const c = document.querySelector('#' + id + ' canvas'); return c && c.width > 0; }",
                arg=chart_id,
            )
        page.wait_for_timeout(500)  # ECharts' first-frame animation
        assert [c for c in CHARTS if not _canvas_painted(page, c)] == []
        names = committed(_names)
        assert len(names) == 5
        charted = page.evaluate("JSON.parse(document.getElementById('province-charts').textContent).health")
        assert {r["name"] for r in charted} == set(names.values())

        # XLSX of the standards table, downloaded as a browser does: every bureau's row, 中山's figures.
        standards = page.locator("section").filter(has=page.locator('table[data-table="standards"]'))
        with page.expect_download() as info:
            standards.locator("a.export").click()
        download = info.value
        assert download.suggested_filename.startswith("province-standards-")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        sheet = load_workbook(saved).active
        xlsx_rows = list(sheet.iter_rows(values_only=True))[1:]
        assert set(names.values()) <= {r[0] for r in xlsx_rows}, xlsx_rows
        zs = next(r for r in xlsx_rows if r[0] == "中山市民政局" and r[3] == 1225)
        assert zs[4] == 1075 and zs[7] == 6 and zs[8] == 7, zs

        # Drill-down: 中山's name in the standards table opens its page, with its figures only.
        rows.filter(has_text="1,225.00").get_by_role("link", name="中山市民政局").first.click()
        page.wait_for_url("**/bureaus/zhongshan/")
        assert "中山市民政局" in page.locator("header h1").inner_text()
        own = page.locator('table[data-table="standards"] tbody tr')
        assert own.count() >= 1
        assert all(t.startswith("中山市民政局") for t in own.all_inner_texts()), own.all_inner_texts()
        assert own.filter(has_text="1,225.00").count() == 1
        from apps.province.templatetags.province import cell

        dibao = committed(_dibao_label)
        stats = page.locator('table[data-table="stats"] tbody tr')
        cells = [t.split("\t") for t in stats.all_inner_texts()]
        assert cells and {c[0] for c in cells} == {"中山市民政局"}, cells
        # December's 低保: 2 households, 5 persons (the planted caseload; columns as tables.MONTHLY_COLUMNS).
        december = [c for c in cells if c[1:3] == [DECEMBER, dibao]]
        assert len(december) == 1 and december[0][3:5] == [cell(Decimal("2.00")), cell(Decimal("5.00"))], cells
        # Its charts: drawn, from its own figures (the programme's persons of the month among the caseload series).
        own_charts = ("chart-standards", "chart-caseload", "chart-amounts", "chart-health")
        for chart_id in own_charts:
            page.wait_for_selector(f"#{chart_id}[data-rendered='1'] canvas")
        page.wait_for_timeout(500)
        assert [c for c in own_charts if not _canvas_painted(page, c)] == []
        data = page.evaluate("JSON.parse(document.getElementById('province-charts').textContent)")
        assert data["standards"]["bureaus"] == ["中山市民政局"]
        assert [r["name"] for r in data["health"]] == ["中山市民政局"]
        assert data["trends"]["persons_active"][dibao][DECEMBER] == 5, data["trends"]

        # XLSX of the bureau's monthly figures: its rows only, the same figures as the page.
        monthly = page.locator("section").filter(has=page.locator('table[data-table="stats"]'))
        with page.expect_download() as info:
            monthly.locator("a.export").first.click()
        saved = tmp_path / "zhongshan-stats.xlsx"
        info.value.save_as(saved)
        xlsx_rows = list(load_workbook(saved).active.iter_rows(values_only=True))[1:]
        assert xlsx_rows and {r[0] for r in xlsx_rows} == {"中山市民政局"}
        december = [r for r in xlsx_rows if r[1] == DECEMBER and r[2] == dibao]
        assert len(december) == 1 and (december[0][3], december[0][4]) == (2, 5), xlsx_rows
        assert errors == []
    finally:
        context.close()
        committed(_unplant)

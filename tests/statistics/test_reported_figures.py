"""Reported figures: loaded from the seeds with their meaning, kept true to the seeds without overriding
the bureau, compared with the computed figures (fidelity), and never added across unlike meanings."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.benefits.models import Standard
from apps.benefits.seeding import load_standards
from apps.benefits.services import standard_update
from apps.demo.bootstrap import run_seed_loaders
from apps.demo.synthetic.plan import base_figures
from apps.demo.synthetic.writer import seed_statistics
from apps.statistics.models import AnnualFigure, AnnualSnapshot, ReportedFigure
from apps.statistics.seeding import load_reported_figures
from apps.statistics.selectors import fidelity, reported_sum, unexplained_gaps
from tenants.seeds import SEEDS_DIR, SeedError, load_seed
from tenants.services import BootstrapReport

pytestmark = pytest.mark.django_db


def seed_with(schema, change):
    seed = load_seed(SEEDS_DIR / f"{schema}.yaml")
    seed = type(seed)(path=seed.path, data=copy.deepcopy(seed.data))
    change(seed.data)
    return seed


def _set_statistic(key, period, value):
    def change(data):
        for row in data["statistics"]:
            if row["key"] == key and row["period"] == period:
                row["value"] = value

    return change


def _set_standard(programme, variant, day, amount):
    def change(data):
        for row in data["standards"]:
            if (row["programme"], row["variant"], row["effective_from"]) == (programme, variant, day):
                row["amount"] = Decimal(amount)

    return change


def test_bootstrap_loaded_the_figures_with_their_meaning(in_bureau):
    with in_bureau("zhongshan"):
        dibao = ReportedFigure.objects.get(key="dibao_households", period=2024)
    with in_bureau("nanshan"):
        nanshan = ReportedFigure.objects.get(key="temporary_cases", period=2023)
    with in_bureau("guangzhou"):
        guangzhou = ReportedFigure.objects.get(key="temporary_cases", period=2024)
    with in_bureau("xcity"):
        meals = ReportedFigure.objects.get(key="meals_served", period=2024)
        children = ReportedFigure.objects.get(key="children_paid", period=2024)
    assert (dibao.value, dibao.unit, dibao.meaning, dibao.source_phrase) == (
        Decimal("3469"),
        "households",
        "households/year",
        dibao.source_phrase,
    )
    assert dibao.source_phrase and dibao.label == "低保对象户数"
    assert (nanshan.meaning, nanshan.compare_key) == ("households/year", "temporary_households")
    assert (guangzhou.meaning, guangzhou.compare_key) == ("person_times/year", "temporary_cases")
    assert meals.meaning == "meals/two_years"
    assert children.meaning == "yuan/jan_oct"


def test_a_changed_seed_figure_is_updated_with_history(in_bureau):
    with in_bureau("zhongshan"):
        lines = load_reported_figures(seed=seed_with("zhongshan", _set_statistic("dibao_households", 2024, "3470")))
        figure = ReportedFigure.objects.get(key="dibao_households", period=2024)
        history = list(figure.history.order_by("-history_date").values_list("value", "history_user_id"))
    assert "+ reported figure dibao_households 2024: updated to 3470 from the seeds" in lines
    assert figure.value == Decimal("3470")
    assert history[:2] == [(Decimal("3470.0000"), None), (Decimal("3469.0000"), None)]


def test_a_figure_the_bureau_edited_is_left_and_the_conflict_reported(in_bureau, users):
    with in_bureau("zhongshan"):
        figure = ReportedFigure.objects.get(key="dibao_households", period=2024)
        figure.value = Decimal("3480")
        figure._history_user = users("zhongshan").admin
        figure.save()
        # The seeds unchanged: the bureau's value stands, nothing to report.
        same = load_reported_figures(seed=seed_with("zhongshan", lambda data: None))
        changed = load_reported_figures(seed=seed_with("zhongshan", _set_statistic("dibao_households", 2024, "3470")))
        figure.refresh_from_db()
    assert "= reported figure dibao_households 2024" in same
    assert (
        "! reported figure dibao_households 2024: the seeds say 3470 households, the bureau edited it to 3480 "
        "households; the bureau's value stays"
    ) in changed
    assert figure.value == Decimal("3480")


def test_a_changed_seed_standard_is_updated_through_the_service(in_bureau):
    day = datetime.date(2024, 1, 1)
    with in_bureau("zhongshan"):
        lines = load_standards(seed=seed_with("zhongshan", _set_standard("dibao", "unified", day, "1230.00")))
        standard = Standard.objects.get(programme_id="dibao", variant="unified", effective_from=day)
        history = list(standard.history.order_by("-history_date").values_list("amount", "history_user_id"))
    assert "+ standard dibao/unified 2024-01-01: updated to 1230.00/month from the seeds" in lines
    assert standard.amount == Decimal("1230.00")
    assert history[:2] == [(Decimal("1230.00"), None), (Decimal("1225.00"), None)]


def test_a_standard_the_bureau_edited_is_a_conflict(in_bureau, users):
    day = datetime.date(2024, 1, 1)
    with in_bureau("zhongshan"):
        standard = Standard.objects.get(programme_id="dibao", variant="unified", effective_from=day)
        standard_update(user=users("zhongshan").admin, standard=standard, amount="1240.00")
        report = BootstrapReport()
        seed = seed_with("zhongshan", _set_standard("dibao", "unified", day, "1230.00"))
        run_seed_loaders(seed=seed, report=report)
        standard.refresh_from_db()
    assert standard.amount == Decimal("1240.00")
    assert report.conflicts == [
        "zhongshan: standard dibao/unified 2024-01-01: the seeds say 1230.00/month, the bureau edited it to "
        "1240.00/month; the bureau's value stays"
    ]


def test_seed_statistic_selects_the_period():
    haifeng = load_seed(SEEDS_DIR / "haifeng.yaml")
    assert haifeng.statistic("dibao_avg_payment_urban") == Decimal("739")  # the report year, 2023
    assert haifeng.statistic("dibao_avg_payment_urban", 2022) == Decimal("710")
    assert haifeng.statistic("dibao_avg_payment_urban", 2021) is None
    assert haifeng.statistic("meal_sites_new") == Decimal("0")  # 2023's: none added


def test_cross_bureau_sums_refuse_unlike_meanings(db):
    # 广州 counts person-times, 南山 households.
    with pytest.raises(ValidationError, match="temporary_cases means different things in these bureaus"):
        reported_sum(key="temporary_cases", schemas=["guangzhou", "nanshan"])
    # 中山's meals are one year's, x市's two years'.
    with pytest.raises(ValidationError, match="zhongshan: meals/year; xcity: meals/two_years"):
        reported_sum(key="meals_served", schemas=["zhongshan", "xcity"])
    # x市's child payments cover January to October.
    with pytest.raises(ValidationError, match="xcity: yuan/jan_oct"):
        reported_sum(key="children_paid", schemas=["zhongshan", "xcity"], period=2024)
    # 海丰 2023 and x市 2024 both two-year totals: alike, they add.
    assert reported_sum(key="meals_served", schemas=["haifeng", "xcity"]) == (Decimal("435000"), "meals/two_years")
    # Money adds in yuan: (475.5 + 7057.08 + 463.54) 万元.
    assert reported_sum(key="funeral_waiver_paid", schemas=["zhongshan", "guangzhou", "haifeng"]) == (
        Decimal("79961200.00"),
        "yuan/year",
    )


def _snapshot(year, figures):
    snapshot = AnnualSnapshot.objects.create(year=year)
    AnnualFigure.objects.bulk_create(
        AnnualFigure(snapshot=snapshot, key=key, value=value, unit=unit, label=key, position=i)
        for i, (key, value, unit) in enumerate(figures)
    )


def test_fidelity_differences(in_bureau):
    with in_bureau("zhongshan"):
        _snapshot(
            2024,
            [
                ("benefits.dibao_households", Decimal("3469"), "household"),
                ("benefits.dibao_persons", Decimal("6400"), "person"),
                ("disbursement.dibao_paid", Decimal("104071200.00"), "yuan"),
                ("pensions.nursing_bed_ratio", Decimal("75.00"), "percent"),
                ("benefits.temporary_households", Decimal("12"), "household"),
            ],
        )
        rows = {row.key: row for row in fidelity(year=2024)}
    assert (rows["dibao_households"].difference, rows["dibao_households"].percent) == (Decimal("0"), Decimal("0.00"))
    # Counts exactly, money within ±5 %, rates to the hundredth.
    assert (rows["dibao_households"].within, rows["dibao_persons"].within) == (True, False)
    assert (rows["dibao_paid"].within, rows["nursing_bed_ratio"].within) == (True, False)
    # 6400 − 6444 = −44; −44 / 6444 = −0.683 %
    assert (rows["dibao_persons"].difference, rows["dibao_persons"].percent) == (Decimal("-44"), Decimal("-0.68"))
    # 10104万 = 101,040,000.00 yuan; 3 % more
    paid = rows["dibao_paid"]
    assert (paid.reported, paid.difference, paid.percent, paid.status) == (
        Decimal("101040000.00"),
        Decimal("3031200.00"),
        Decimal("3.00"),
        "compared",
    )
    assert paid.phrase  # the report's phrase, shown on hover
    # 75.00 − 75.62 = −0.62; −0.62 / 75.62 = −0.82 %
    ratio = rows["nursing_bed_ratio"]
    assert (ratio.difference, ratio.percent) == (Decimal("-0.62"), Decimal("-0.82"))
    assert rows["dilapidated_housing_renovated"].status == "not_computed"
    assert rows["dilapidated_housing_renovated"].reason == "The data cannot produce this figure yet."
    assert rows["temporary_households"].status == "not_reported"


def test_fidelity_of_other_meanings(in_bureau):
    with in_bureau("xcity"):
        _snapshot(
            2024,
            [
                ("assistance.vagrant_assisted", Decimal("50"), "person_time"),
                ("pensions.meals_served", Decimal("1000"), "meal"),
                ("disbursement.children_paid", Decimal("0.00"), "yuan"),
            ],
        )
        rows = {row.key: row for row in fidelity(year=2024)}
        with translation.override("zh-hans"):
            chinese = {row.key: row for row in fidelity(year=2024)}
    # x市 counts the vagrants it assisted in persons, the cases are person-times: said in words, not unit codes.
    assert (rows["vagrant_assisted"].status, rows["vagrant_assisted"].reason) == (
        "not_comparable",
        "The report counts persons, the data person-times.",
    )
    assert chinese["vagrant_assisted"].reason == "年报统计口径为人员，数据口径为人次。"
    assert rows["meals_served"].status == "not_comparable"
    assert (
        rows["meals_served"].reason == "The report's figure covers two years together (cumulative), the data one year."
    )
    # January to October of the monthly series (no payments here): 0 against 369.76万.
    children = rows["children_paid"]
    assert (children.status, children.computed, children.difference, children.percent) == (
        "compared",
        Decimal("0.00"),
        Decimal("-3697600.00"),
        Decimal("-100.00"),
    )


def test_xcity_orphans_from_ten_months_of_payments():
    # 369.76万 paid January to October: 3,697,600 / 10 months / 1,350 a month = 273.9 children paid every
    # month (not / 12 = 228.2); 10 / 12 / 18 of them turn 18 in those months, unpaid half of them on
    # average: 273.9 / (1 − 10/432) = 280.4.
    figures, notes = base_figures(stats=seed_statistics("xcity"), standards={("orphan", "scattered"): Decimal("1350")})
    assert round(figures["orphans_institutional"] + figures["orphans_scattered"], 1) == 280.4
    # x市 states only the 分散养育 standard: every orphan it pays is scattered (an institutional one would
    # have no standard to be paid at).
    assert figures["orphans_institutional"] == 0
    assert notes["orphans"] == ("儿童生活保障金 / 10 months / the orphan standard (1350), "
                                "with the year's 0 recognised and those turning 18")


# --------------------------------------------------------------------------- gaps and their reasons


def _set_gap_reason(key, period, reason, reason_zh):
    def change(data):
        for row in data["statistics"]:
            if row["key"] == key and row["period"] == period:
                row["gap_reason"], row["gap_reason_zh"] = reason, reason_zh

    return change


def test_a_gap_reason_comes_from_the_seeds_and_a_changed_one_is_reloaded(in_bureau):
    with in_bureau("xcity"):
        figure = ReportedFigure.objects.get(key="longevity_paid", period=2024)
        assert figure.gap_reason.startswith("The stated brackets for the stated 15,997 persons give 1,008.84万")
        assert figure.gap_reason_zh.startswith("按报告所列标准和15997名高龄老人计")
        lines = load_reported_figures(
            seed=seed_with("xcity", _set_gap_reason("longevity_paid", 2024, "Another reason here.", "另一个原因"))
        )
        figure.refresh_from_db()
        reasons = list(figure.history.order_by("-history_date").values_list("gap_reason", flat=True))
    assert "+ reported figure longevity_paid 2024: updated to 819.89 from the seeds" in lines
    assert (figure.gap_reason, figure.gap_reason_zh) == ("Another reason here.", "另一个原因")
    assert reasons[0] == "Another reason here." and reasons[1].startswith("The stated brackets")


def test_a_seed_gap_reason_needs_both_languages(tmp_path):
    text = (SEEDS_DIR / "xcity.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "xcity.yaml"
    broken.write_text(text.replace("    gap_reason_zh: \"按报告所列标准", "    note_zh: \"按报告所列标准", 1), encoding="utf-8")
    with pytest.raises(SeedError) as error:
        load_seed(broken)
    assert "gap_reason_zh" in str(error.value)


def _hand_made_year(rows):
    """A bureau-year of its own (2030): these reported figures (key, value, unit, reason) and nothing else."""
    ReportedFigure.objects.filter(period=2030).delete()
    for key, value, unit, reason in rows:
        ReportedFigure.objects.create(
            key=key,
            period=2030,
            value=Decimal(value),
            unit=unit,
            section="social_assistance",
            label=key,
            source_phrase=key,
            gap_reason=reason,
            gap_reason_zh=f"中文：{reason}" if reason else "",
        )


def test_every_gap_of_a_bureau_year_is_shown_with_its_reason(in_bureau):
    with in_bureau("xcity"):
        _snapshot(
            2030,
            [
                ("benefits.dibao_households", Decimal("120"), "household"),
                ("benefits.dibao_new_households", Decimal("9"), "household"),
                ("disbursement.dibao_paid", Decimal("1010000.00"), "yuan"),
                ("disbursement.longevity_paid", Decimal("10088400.00"), "yuan"),
            ],
        )
        _hand_made_year(
            [
                ("dibao_households", "120", "households", ""),
                ("dibao_paid", "100", "wan_yuan", ""),  # 1,010,000 is +1.00 %: within ±5 %
                ("longevity_paid", "819.89", "wan_yuan", "Full year at the stated brackets."),
                ("dibao_new_households", "10", "households", ""),
            ]
        )
        with translation.override("en"):
            rows = {row.key: row for row in fidelity(year=2030)}
        with translation.override("zh-hans"):
            chinese = {row.key: row for row in fidelity(year=2030)}
        # 10,088,400 − 8,198,900 = 1,889,500: +23.05 %, out of tolerance, with the seeds' reason.
        longevity = rows["longevity_paid"]
        assert (longevity.difference, longevity.percent, longevity.within) == (
            Decimal("1889500.00"),
            Decimal("23.05"),
            False,
        )
        assert (longevity.gap_reason, longevity.unexplained) == ("Full year at the stated brackets.", False)
        assert chinese["longevity_paid"].gap_reason == "中文：Full year at the stated brackets."
        # 9 new households against 10 reported: a count must be exact, and nothing explains it.
        assert (rows["dibao_new_households"].difference, rows["dibao_new_households"].within) == (Decimal("-1"), False)
        assert [row.key for row in unexplained_gaps(list(rows.values()))] == ["dibao_new_households"]
        assert (rows["dibao_households"].within, rows["dibao_paid"].within) == (True, True)
        assert not rows["dibao_households"].unexplained and not rows["dibao_paid"].unexplained
        # With its reason given, the year has no unexplained gap.
        ReportedFigure.objects.filter(key="dibao_new_households", period=2030).update(
            gap_reason="One application was decided in January of the next year."
        )
        assert unexplained_gaps(fidelity(year=2030)) == []

"""The annual statistics of a hand-made 中山 year (2024), every figure written out.

Twelve beneficiaries through the year, paid month by month by the real runs and bank returns:
  A  低保, 2 covered, no income, all year                       2 × 1225       = 2450.00 a month
  B  低保, 3 covered, income 200, new from March; March failed at the bank and was re-issued
                                                             3 × (1225−200) = 3075.00
  C  低保, 1 covered, stopped after May                                          1225.00
  D  低保, 2 covered, reviewed: income 100 from July           2450.00, then 2 × 1125 = 2250.00
  I  低保, 4 covered, all year                                                    4900.00
  J  低保, 1 covered, new from October                                            1225.00
  K  低保, 2 covered, stopped after November                                      2450.00
  E  特困 (basic 1960), died 15 August: paid January to August
  G  低保边缘, 3 persons, from February (counted, never paid)
  L  支出型困难家庭, 2 persons, from January (counted)
  H  高龄津贴 80-89, 100.00 a month all year
  A  临时救助 2000.00 for April
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.assistance.models import VagrantCase
from apps.benefits.services import entitlement_change_facts, entitlements_stop_for_deaths, grant_create
from apps.core.permissions import SYSTEM
from apps.core.registries import monthly_figures
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_approve, payment_run_mark_exported, payment_run_supplementary
from apps.pensions.models import ChildWelfareRecord, MealSite
from apps.people.models import CareInstitution
from apps.statistics.models import AnnualSnapshot
from apps.statistics.selectors import annual_figures_get
from apps.statistics.services import annual_snapshot_compute
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def household(n, **fields):
    return f.household(*[f.person() for _ in range(n)], **fields)


SINCE_2023 = D(2023, 6, 1)


def dibao(h, covered, income="0", start=SINCE_2023, end=None):
    return f.entitlement(
        programme="dibao",
        household=h,
        covered_members=covered,
        per_capita_income=Decimal(income),
        start_period=start,
        end_period=end,
    )


def build_year(cycle, bank_return, users):
    u = users("zhongshan")
    a, b, c, d, i, j, k = (
        household(2),
        household(3),
        household(1),
        household(2),
        household(4),
        household(1),
        household(2),
    )
    dibao(a, 2)
    dibao(b, 3, "200", start=D(2024, 3, 1))
    dibao(c, 1, end=D(2024, 5, 1))
    d_entitlement = dibao(d, 2)
    dibao(i, 4, start=D(2022, 1, 1))
    dibao(j, 1, start=D(2024, 10, 1))
    dibao(k, 2, end=D(2024, 11, 1))
    entitlement_change_facts(
        entitlement=d_entitlement,
        from_period=D(2024, 7, 1),
        per_capita_income=Decimal("100"),
        reason="review: wages",
        user=u.approver,
    )
    e = f.person(birth_date=D(1950, 1, 1))
    f.entitlement(programme="tekun", person=e, start_period=D(2023, 1, 1))
    g, lhh = household(3), household(2)
    f.entitlement(programme="dibao_marginal", household=g, covered_members=3, start_period=D(2024, 2, 1))
    f.entitlement(programme="hardship_expense", household=lhh, covered_members=2, start_period=D(2024, 1, 1))
    h = f.person(birth_date=D(1939, 5, 1))
    f.entitlement(programme="longevity", person=h, variant="80-89", start_period=D(2023, 1, 1))
    grant_create(
        programme="temporary",
        amount="2000",
        period=D(2024, 4, 1),
        household=a,
        payee_person=a.members.get(relation="head").person,
        reason="illness",
        user=u.approver,
    )
    for month in range(1, 13):
        if month == 9:
            e.status, e.date_of_death = "deceased", D(2024, 8, 15)
            e.save()
            entitlements_stop_for_deaths(today=D(2024, 9, 1))
        run = cycle("zhongshan", f"2024-{month:02d}")
        failed = []
        if month == 3:
            failed = [PaymentLine.objects.get(run=run, household=b)]
        bank_return("zhongshan", run, failed=failed)
        if month == 3:
            head = b.members.get(relation="head").person
            head.bank_account = "6222000000000000555"
            head.save()
            again = payment_run_supplementary(period=run.period, user=u.finance)
            again = payment_run_mark_exported(run=payment_run_approve(run=again, user=u.approver), user=u.finance)
            bank_return("zhongshan", again)
    # The registries and the vagrant cases of the year.
    town = f.town()
    CareInstitution.objects.create(name="甲 (test)", ownership="public", town=town, beds=100, nursing_beds=80)
    CareInstitution.objects.create(name="乙 (test)", ownership="private", town=town, beds=60, nursing_beds=40)
    for n, star in ((1, 3), (2, None), (3, None)):
        MealSite.objects.create(name=f"饭堂{n} (test)", town=town, star_rating=star, meals_per_month=1000)
    child = f.person(birth_date=D(2015, 3, 3))
    ChildWelfareRecord.objects.create(person=child, kind="orphan", placement="scattered", since=D(2024, 2, 20))
    VagrantCase.objects.create(town=town, intake_on=D(2024, 3, 1), found_on_street=True)
    VagrantCase.objects.create(town=town, intake_on=D(2024, 4, 1), outcome="returned_home", closed_on=D(2024, 5, 1))
    VagrantCase.objects.create(
        town=town, intake_on=D(2023, 12, 1), outcome="family_found", closed_on=D(2024, 2, 1), cost=Decimal("300")
    )


EXPECTED = {
    # Year-end caseload (December 2024): A, B, D, I, J; C last paid in May, K in November.
    "benefits.dibao_households": (5, "household"),
    "benefits.dibao_persons": (12, "person"),  # 2 + 3 + 2 + 4 + 1
    "benefits.dibao_new_households": (2, "household"),  # B (March), J (October); D's review is no new case
    "benefits.dibao_new_persons": (4, "person"),
    "benefits.dibao_stopped_households": (2, "household"),  # C (last paid May), K (November)
    "benefits.dibao_stopped_persons": (3, "person"),
    "benefits.tekun_persons": (0, "person"),
    "benefits.tekun_stopped_persons": (1, "person"),  # E, last paid in August, the month of death
    "benefits.tekun_new_persons": (0, "person"),
    "benefits.dibao_marginal_households": (1, "household"),
    "benefits.dibao_marginal_persons": (3, "person"),
    "benefits.dibao_marginal_new_households": (1, "household"),
    "benefits.hardship_expense_households": (1, "household"),
    "benefits.hardship_expense_persons": (2, "person"),
    "benefits.hardship_expense_new_households": (1, "household"),  # on since January, not in December 2023
    "benefits.longevity_persons": (1, "person"),
    "benefits.temporary_cases": (1, "person_time"),
    "benefits.temporary_households": (1, "household"),
    # Paid (bank result 成功), by the month of the run:
    # A 2450×12 = 29400; B 3075×10 = 30750 (March re-issued); C 1225×5 = 6125; D 2450×6 + 2250×6 = 28200;
    # I 4900×12 = 58800; J 1225×3 = 3675; K 2450×11 = 26950 → 183900.00
    "disbursement.dibao_paid": (Decimal("183900.00"), "yuan"),
    "disbursement.tekun_basic_paid": (Decimal("15680.00"), "yuan"),  # 1960 × 8
    "disbursement.tekun_paid": (Decimal("15680.00"), "yuan"),
    "disbursement.temporary_paid": (Decimal("2000.00"), "yuan"),
    "disbursement.longevity_paid": (Decimal("1200.00"), "yuan"),
    "disbursement.assistance_paid_total": (Decimal("201580.00"), "yuan"),  # 183900 + 15680 + 2000
    # Person-months paid: A 24, B 30, C 5, D 24, I 48, J 3, K 22 = 156; 183900 / 156 = 1178.846… → 1178.85
    "disbursement.dibao_avg_payment_unified": (Decimal("1178.85"), "yuan_per_person_month"),
    "pensions.care_institutions": (2, "count"),
    "pensions.care_beds": (160, "bed"),
    "pensions.care_nursing_beds": (120, "bed"),
    "pensions.nursing_bed_ratio": (Decimal("75.00"), "percent"),
    "pensions.meal_sites": (3, "count"),
    "pensions.meal_sites_star_rated": (1, "count"),
    "pensions.meals_served": (36000, "meal"),
    "pensions.children_in_care": (1, "person"),
    "pensions.children_new_identified": (1, "person"),
    "assistance.vagrant_assisted": (2, "person_time"),
    "assistance.vagrant_assisted_street": (1, "person_time"),
    "assistance.vagrant_returned": (2, "person"),  # closed in 2024: one taken in in 2023
}


def test_the_hand_made_year(zs, cycle, bank_return, users, settings):
    build_year(cycle, bank_return, users)
    snapshot = annual_snapshot_compute(year=2024, user=SYSTEM)
    got = {fig.key: (fig.value, fig.unit) for fig in snapshot.figures.all()}
    for key, (value, unit) in EXPECTED.items():
        assert got[key] == (Decimal(value), unit), key
    # Recomputed, the snapshot is replaced, not doubled.
    annual_snapshot_compute(year=2024, user=SYSTEM)
    assert AnnualSnapshot.objects.get(year=2024).figures.count() == len(got)
    # Stored in the bureau's language, composed labels included: the Chinese page shows no English.
    settings.LANGUAGE_CODE = "zh-hans"  # the product's (the suite runs in English)
    annual_snapshot_compute(year=2024, user=SYSTEM)
    with translation.override("zh-hans"):
        labels = {figure.key: str(figure.label) for figure in annual_figures_get(year=2024)[0]}
    assert labels["benefits.dibao_households"] == "最低生活保障：年末户数"
    assert labels["disbursement.dibao_paid"] == "最低生活保障：年内发放金额"
    assert labels["disbursement.dibao_avg_payment_unified"] == "低保补差水平(统一标准)：人均月发放"
    # The failed March line stays failed in the monthly series; its re-issue is paid.
    march = {(m.programme, m.key): m.value for m in monthly_figures(first="2024-03", last="2024-03")}
    assert march[("dibao", "amount_failed")] == Decimal("3075.00")
    assert march[("dibao", "amount_paid")] == Decimal("16550.00")  # A 2450 + B 3075 + C 1225 + D 2450 + I 4900 + K 2450
    # The command stores the same.
    out = io.StringIO()
    call_command("annual_stats", "--tenant", "zhongshan", "--year", "2024", "--fidelity", stdout=out)
    assert "dibao_households | 5 | 3469 | -3464 | -99.86 | compared" in out.getvalue()  # −3464 / 3469

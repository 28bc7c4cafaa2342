"""Fee waivers, eco-burial subsidies, cemeteries, the year's indicators, and the nightly off-cycle run
that pays one-offs without waiting for the month."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.benefits.models import Grant
from apps.burial import services
from apps.burial.figures import annual_figures
from apps.burial.models import Cemetery, WaiverPolicy
from apps.burial.selectors import cemetery_list
from apps.disbursement import nightly
from apps.disbursement.models import PaymentLine, PaymentRun
from apps.people.services import funeral_home_create
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 4, 20)


def _home(name="测试殡仪馆"):
    return funeral_home_create(
        name=name, town=factories.town(), bank_account="6222000011112222333", bank_name="工商银行"
    )


def _death(user, *, day, home=None, local=True, disposition="tree", exempt=False, name="王某"):
    return services.death_record_create(
        user=user,
        name=name,
        town=factories.town(),
        local_hukou=local,
        date_of_death=day,
        funeral_home=home,
        cremated_on=None if exempt else day + datetime.timedelta(days=2),
        exemption="ethnic" if exempt else "",
        disposition="burial" if exempt else disposition,
        today=TODAY,
    )


def test_a_waiver_of_three_items_is_summed_exactly_and_capped(in_bureau, user_named):
    with in_bureau("guangzhou"):
        admin, home = user_named("guangzhou-admin"), _home()
        items = [{"code": "transport"}, {"code": "cold_storage", "units": 5}, {"code": "cremation"}]
        # 广州 2024, non-local hukou: 接运 180 + 冷藏 3 days × 100 (5 asked, 3 at most) + 火化 250 = 730.00.
        w = services.fee_waiver_create(
            death=_death(admin, day=datetime.date(2024, 11, 2), home=home, local=False),
            items=items,
            user=admin,
            today=TODAY,
        )
        assert (w.items_total, w.amount) == (D("730.00"), D("730.00"))
        assert sorted(w.items.values_list("item__code", "units", "amount")) == [
            ("cold_storage", 3, D("300.00")),
            ("cremation", 1, D("250.00")),
            ("transport", 1, D("180.00")),
        ]
        # A cap of 500 from 2025: the same items, capped.
        WaiverPolicy.objects.create(cap=D("500"), eligible="non_local", effective_from=datetime.date(2025, 1, 1))
        w2 = services.fee_waiver_create(
            death=_death(admin, day=datetime.date(2025, 2, 2), home=home, local=False, name="张某"),
            items=items,
            user=admin,
            today=TODAY,
        )
        assert (w2.items_total, w2.amount) == (D("730.00"), D("500.00"))
        grant = Grant.objects.get(pk=w2.grant_id)
        assert (grant.programme_id, grant.amount, grant.period, grant.payee_name, grant.payee_account) == (
            "funeral_waiver",
            D("500.00"),
            datetime.date(2025, 4, 1),
            "测试殡仪馆",
            "6222000011112222333",
        )
        # 广州 waives for non-local hukou only.
        with pytest.raises(ValidationError, match="is not eligible: the waiver is for"):
            services.fee_waiver_create(
                death=_death(admin, day=datetime.date(2025, 2, 3), home=home, name="李某"),
                items=items,
                user=admin,
                today=TODAY,
            )
        with pytest.raises(ValidationError, match="'embalming' is not on the price list"):
            services.fee_waiver_create(
                death=_death(admin, day=datetime.date(2025, 2, 4), home=home, local=False, name="赵某"),
                items=[{"code": "embalming"}],
                user=admin,
                today=TODAY,
            )


def test_a_second_eco_burial_subsidy_is_refused_naming_the_first(in_bureau, user_named):
    with in_bureau("zhongshan"):
        admin = user_named("zhongshan-admin")
        death = _death(admin, day=datetime.date(2024, 6, 1), disposition="sea")
        first = services.eco_burial_create(
            death=death, applicant_name="王小", applicant_account="6222000011113333", user=admin, today=TODAY
        )
        assert (first.mode, first.amount) == ("sea", D("200.00"))
        with pytest.raises(ValidationError) as err:
            services.eco_burial_create(
                death=death, applicant_name="王二", applicant_account="6222000011114444", user=admin, today=TODAY
            )
        assert err.value.messages == [f"王某 already has eco-burial subsidy #{first.pk} (2025-04-20)."]
        plot = _death(admin, day=datetime.date(2024, 6, 2), disposition="plot", name="陈某")
        with pytest.raises(ValidationError, match="公墓墓穴 is not an eco-burial."):
            services.eco_burial_create(
                death=plot, applicant_name="陈小", applicant_account="6222000011115555", user=admin, today=TODAY
            )


def test_a_plot_above_the_cap_is_refused_with_the_cap_in_the_message(in_bureau, user_named):
    with in_bureau("haifeng"):
        admin = user_named("haifeng-admin")
        cemetery = Cemetery.objects.get(name="海丰县镇级公益性公墓一")
        assert cemetery.price_cap == D("15000.00")
        with pytest.raises(ValidationError) as err:
            services.plot_sale_create(cemetery=cemetery, price="15000.01", sold_on=TODAY, user=admin)
        assert err.value.messages == [
            "¥15,000.01 is above the price cap of ¥15,000.00 per plot at 海丰县镇级公益性公墓一."
        ]
        services.plot_sale_create(cemetery=cemetery, price="15000", sold_on=TODAY, user=admin)
        row = cemetery_list(user=admin).get(pk=cemetery.pk)
        assert (row.plots_sold, row.remaining) == (1, 1999)


def test_indicators_from_a_hand_made_population(in_bureau, user_named):
    with in_bureau("zhongshan"):
        admin, home = user_named("zhongshan-admin"), _home()
        tree = _death(admin, day=datetime.date(2024, 3, 1), home=home, disposition="tree", name="甲")
        sea = _death(admin, day=datetime.date(2024, 7, 1), home=home, disposition="sea", name="乙")
        _death(admin, day=datetime.date(2024, 9, 1), home=home, disposition="plot", name="丙")
        _death(admin, day=datetime.date(2024, 12, 31), exempt=True, name="丁")
        _death(admin, day=datetime.date(2023, 12, 31), home=home, name="戊")  # another year
        # 中山 price list: 接运 150 + 火化 250 = 400.00; 150 + 消毒 50 + 冷藏 2 × 30 + 250 = 510.00.
        services.fee_waiver_create(
            death=tree, items=[{"code": "transport"}, {"code": "cremation"}], user=admin, today=TODAY
        )
        services.fee_waiver_create(
            death=sea,
            items=[
                {"code": "transport"},
                {"code": "disinfection"},
                {"code": "cold_storage", "units": 2},
                {"code": "cremation"},
            ],
            user=admin,
            today=TODAY,
        )
        for death in (tree, sea):  # tree 150.00, sea 200.00
            services.eco_burial_create(
                death=death, applicant_name="家属", applicant_account="6222000011116666", user=admin, today=TODAY
            )
        figures = {f.key: f.value for f in annual_figures(year=2024)}
        assert figures == {
            "burial.deaths": 4,
            "burial.cremations": 3,
            "burial.exemptions": 1,
            "burial.cremation_rate": D("100.00"),  # 3 / (4 − 1 exempt)
            "burial.eco_burials": 2,
            "burial.eco_burial_rate": D("50.00"),  # 2 / 4
            "burial.waivers": 2,
            "burial.waiver_total": D("910.00"),
            "burial.subsidies": 2,
            "burial.subsidy_total": D("350.00"),
        }


def test_the_waiver_is_paid_in_that_nights_off_cycle_run_to_the_funeral_home(in_bureau, user_named):
    with in_bureau("nanshan"):
        admin = user_named("nanshan-admin")
        assert nightly.offcycle_runs(today=TODAY) == {"created": [], "refreshed": []}  # nothing to pay: no run
        assert not PaymentRun.objects.filter(kind="off_cycle").exists()
        home = _home("南山殡仪服务站")
        death = _death(admin, day=datetime.date(2025, 4, 1), home=home)
        waiver = services.fee_waiver_create(
            death=death, items=[{"code": "transport"}, {"code": "cremation"}], user=admin, today=TODAY
        )
        assert waiver.amount == D("700.00")  # 深圳: 接运 300 + 火化 400

        summary = nightly.offcycle_runs(today=TODAY)
        run = PaymentRun.objects.get(kind="off_cycle")
        assert summary == {"created": [run.pk], "refreshed": []}
        assert (run.period, run.status, run.line_count, run.total_amount) == (
            datetime.date(2025, 4, 1),
            "generated",
            1,
            D("700.00"),
        )
        line = PaymentLine.objects.get(run=run)
        assert (line.grant_id, line.payee_name, line.bank_account, line.amount) == (
            waiver.grant_id,
            "南山殡仪服务站",
            "6222000011112222333",
            D("700.00"),
        )

        assert nightly.offcycle_runs(today=TODAY + datetime.timedelta(days=1)) == {"created": [], "refreshed": []}
        assert PaymentRun.objects.filter(kind="off_cycle").count() == 1
        assert PaymentLine.objects.filter(grant_id=waiver.grant_id).count() == 1

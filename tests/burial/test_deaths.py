"""A death as a life event: benefits end after the month of death, the household's dibao is
recomputed, paid later months are listed for recovery, and a record made in error undoes all of it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.benefits import selectors as benefit_selectors
from apps.benefits.models import Entitlement
from apps.burial import services
from apps.burial.models import DeathRecord
from apps.core.idcard import make_id_number
from apps.disbursement import nightly
from apps.disbursement.models import PaymentLine
from apps.disbursement.selectors import recovery_list
from apps.disbursement.services import payment_run_monthly
from apps.people.models import Person
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db
MAR, APR, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)
TODAY = datetime.date(2025, 4, 20)


def _family():
    """中山: a dibao household of 3 (S 1225, income 425 a head, the head elderly: 40% add-on 490) —
    (1225 − 425) × 3 + 490 = 2890.00 — whose head, 84, also gets 高龄津贴 80-89: 100.00."""
    head = factories.person(birth_date=datetime.date(1940, 6, 1))
    others = [factories.person(birth_date=datetime.date(1985, 1, 1)) for _ in range(2)]
    household = factories.household(head, *others)
    dibao = factories.entitlement(
        programme="dibao",
        household=household,
        per_capita_income=D("425"),
        covered_members=3,
        addon_members=1,
        start_period=datetime.date(2024, 1, 1),
    )
    longevity = factories.entitlement(
        programme="longevity", variant="80-89", person=head, start_period=datetime.date(2024, 7, 1)
    )
    return head, household, dibao, longevity


def _april_paid():
    april = payment_run_monthly(period=APR)
    PaymentLine.objects.filter(run=april).update(status="paid")
    return april


def _record(head, user, **fields):
    return services.death_record_create(
        user=user,
        person=head,
        date_of_death=datetime.date(2025, 3, 10),
        cremated_on=datetime.date(2025, 3, 13),
        disposition="tree",
        today=TODAY,
        **fields,
    )


def test_a_death_on_2025_03_10_with_april_paid(in_bureau, user_named):
    with in_bureau("zhongshan"):
        head, household, dibao, longevity = _family()
        april = _april_paid()
        assert sorted(
            PaymentLine.objects.filter(run=april, entitlement_id__in=[dibao.pk, longevity.pk]).values_list(
                "programme_id", "amount"
            )
        ) == [("dibao", D("2890.00")), ("longevity", D("100.00"))]

        record = _record(head, user_named("zhongshan-admin"))

        head.refresh_from_db()
        assert (head.status, head.date_of_death) == ("deceased", datetime.date(2025, 3, 10))
        longevity.refresh_from_db()
        dibao.refresh_from_db()
        assert (longevity.status, longevity.end_period) == ("stopped", MAR)
        assert (dibao.status, dibao.end_period) == ("stopped", MAR)
        assert f"burial.death:{record.pk}" in longevity.reason
        successor = Entitlement.objects.get(household=household, start_period=APR)
        assert (successor.covered_members, successor.addon_members, successor.status) == (2, 0, "active")
        # (1225 − 425) × 2 = 1600.00 from April.
        assert benefit_selectors.entitlement_amount(entitlement=successor, period=APR) == D("1600.00")
        assert record.benefits_effect["opened"] == [successor.pk]

        # One recovery per programme for April, the month already paid after the death.
        recoveries = recovery_list(user=None, filters={"period": APR})
        assert sorted((r.programme_id, r.amount) for r in recoveries) == [
            ("dibao", D("2890.00")),
            ("longevity", D("100.00")),
        ]

        # The May run pays May on the new size, and April too: April's old line (2,890.00) is on the
        # recovery list, so the household is owed April's 1,600.00 (net: 1,290.00 recovered).
        may_run = payment_run_monthly(period=MAY)
        may_lines = PaymentLine.objects.filter(run=may_run, household_id=household.pk).order_by("period")
        assert list(may_lines.values_list("entitlement_id", "period", "line_type", "amount")) == [
            (successor.pk, APR, "regular", D("1600.00")),
            (successor.pk, MAY, "regular", D("1600.00")),
        ]
        assert not PaymentLine.objects.filter(run=may_run, entitlement_id=longevity.pk).exists()
        may_run.refresh_from_db()
        assert (may_run.detail["back_pay_lines"], may_run.detail["back_pay_amount"]) == (1, "1600.00")

        # Exactly once: a second monthly run of June does not pay April again.
        PaymentLine.objects.filter(run=may_run).update(status="paid")
        june_run = payment_run_monthly(period=datetime.date(2025, 6, 1))
        assert list(
            PaymentLine.objects.filter(run=june_run, household_id=household.pk).values_list("period", "amount")
        ) == [(datetime.date(2025, 6, 1), D("1600.00"))]


def test_deleting_the_record_restores_everything_from_april_with_history(in_bureau, user_named):
    with in_bureau("zhongshan"):
        head, household, dibao, longevity = _family()
        _april_paid()
        admin = user_named("zhongshan-admin")
        record = _record(head, admin)
        successor_id = record.benefits_effect["opened"][0]

        services.death_record_delete(record=record, user=admin, reason="录入错误：重名")

        head.refresh_from_db()
        assert (head.status, head.date_of_death) == ("alive", None)
        assert not DeathRecord.objects.filter(pk=record.pk).exists()
        assert (
            DeathRecord.history.filter(id=record.pk, history_type="-").get().history_change_reason == "录入错误：重名"
        )
        for e in (dibao, longevity):
            e.refresh_from_db()
            assert (e.status, e.end_period) == ("active", None)
            assert e.history.first().history_change_reason == f"death withdrawn burial.death:{record.pk}"
        successor = Entitlement.objects.get(pk=successor_id)
        assert (successor.status, successor.end_period) == ("stopped", MAR)  # no month pays
        assert not recovery_list(user=None, filters={"period": APR}).exists()
        may_run = payment_run_monthly(period=MAY)
        assert sorted(
            PaymentLine.objects.filter(
                run=may_run, entitlement_id__in=[dibao.pk, longevity.pk, successor_id]
            ).values_list("programme_id", "amount")
        ) == [("dibao", D("2890.00")), ("longevity", D("100.00"))]


def test_deleting_the_record_after_may_was_paid_gives_the_months_back(in_bureau, user_named):
    """The death withdrawn after the May run paid the successor April and May (1,600.00 each): those two
    lines go on the recovery list, and the June run pays the restored entitlements' May (2,890.00 and
    100.00; April's old lines were paid and stay) besides June."""
    with in_bureau("zhongshan"):
        head, household, dibao, longevity = _family()
        _april_paid()
        admin = user_named("zhongshan-admin")
        record = _record(head, admin)
        successor_id = record.benefits_effect["opened"][0]
        may_run = payment_run_monthly(period=MAY)
        PaymentLine.objects.filter(run=may_run).update(status="paid")

        services.death_record_delete(record=record, user=admin, reason="录入错误：重名")

        assert sorted((r.period, r.programme_id, r.amount) for r in recovery_list(user=None)) == [
            (APR, "dibao", D("1600.00")),
            (MAY, "dibao", D("1600.00")),
        ]
        june = datetime.date(2025, 6, 1)
        june_run = payment_run_monthly(period=june)
        assert sorted(
            PaymentLine.objects.filter(
                run=june_run, entitlement_id__in=[dibao.pk, longevity.pk, successor_id]
            ).values_list("period", "programme_id", "amount")
        ) == [
            (MAY, "dibao", D("2890.00")),
            (MAY, "longevity", D("100.00")),
            (june, "dibao", D("2890.00")),
            (june, "longevity", D("100.00")),
        ]


def test_correcting_the_date_moves_the_stop(in_bureau, user_named):
    with in_bureau("zhongshan"):
        head, household, dibao, longevity = _family()
        admin = user_named("zhongshan-admin")
        record = _record(head, admin)
        services.death_record_correct_date(
            record=record,
            date_of_death=datetime.date(2025, 2, 27),
            user=admin,
            reason="死亡证明日期为2月27日",
            today=TODAY,
        )
        longevity.refresh_from_db()
        assert (longevity.status, longevity.end_period) == ("stopped", datetime.date(2025, 2, 1))
        successor = Entitlement.objects.get(household=household, status="active")
        assert (successor.start_period, successor.covered_members) == (MAR, 2)
        assert (
            Entitlement.objects.filter(household=household, start_period=APR, status="stopped", end_period=MAR).count()
            == 1
        )  # the first successor, voided
        head.refresh_from_db()
        assert head.date_of_death == datetime.date(2025, 2, 27)


def test_unsent_lines_of_later_months_are_cancelled(in_bureau, user_named):
    with in_bureau("zhongshan"):
        head, household, dibao, longevity = _family()
        may_run = payment_run_monthly(period=MAY)  # generated, waiting for approval
        _record(head, user_named("zhongshan-admin"))
        summary = nightly.lines_cancel_ended()
        assert (summary["cancelled"], summary["amount"]) == (2, "2990.00")
        cancelled = PaymentLine.objects.filter(run=may_run, status="cancelled")
        assert sorted(cancelled.values_list("programme_id", flat=True)) == ["dibao", "longevity"]
        may_run.refresh_from_db()
        assert may_run.total_amount == sum(
            PaymentLine.objects.filter(run=may_run).exclude(status="cancelled").values_list("amount", flat=True)
        )
        assert nightly.lines_cancel_ended()["cancelled"] == 0


def test_a_death_reported_twice_is_refused_naming_the_first(in_bureau, user_named):
    with in_bureau("zhongshan"):
        head, *_ = _family()
        admin = user_named("zhongshan-admin")
        first = _record(head, admin)
        with pytest.raises(ValidationError) as err:
            services.death_record_create(
                user=admin, id_number=head.id_number, date_of_death=datetime.date(2025, 3, 11), today=TODAY
            )
        assert err.value.messages == [
            f"The death of {head.name} is already recorded: death record #{first.pk} of 2025-03-10."
        ]
        assert DeathRecord.objects.count() == 1


def test_an_unregistered_deceased_is_validated_like_the_registry(in_bureau, user_named):
    with in_bureau("xcity"):
        admin = user_named("xcity-admin")
        town = factories.town()
        good = make_id_number("110105", datetime.date(1949, 12, 31), 2, "M")
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        with pytest.raises(ValidationError, match=f"The check character of {bad} should be {good[17]}"):
            services.death_record_create(
                user=admin, name="马某", id_number=bad, town=town, date_of_death=datetime.date(2024, 5, 1), today=TODAY
            )
        record = services.death_record_create(
            user=admin,
            name="马某",
            id_number="",
            town=town,
            local_hukou=True,
            date_of_death=datetime.date(2024, 5, 1),
            exemption="ethnic",
            today=TODAY,
        )
        assert (record.person, record.disposition, record.benefits_effect) == (None, "burial", {})
        with pytest.raises(ValidationError, match="not exempt from cremation"):
            services.death_record_create(
                user=admin,
                name="李某",
                town=town,
                date_of_death=datetime.date(2024, 5, 1),
                cremated_on=datetime.date(2024, 5, 3),
                exemption="ethnic",
                today=TODAY,
            )
        assert not Person.objects.filter(name="马某").exists()

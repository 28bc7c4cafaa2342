"""高龄津贴: brackets, the month after the birthday, death, hukou, 广州's October grant."""

import datetime
from decimal import Decimal

from django.utils import translation

from apps.benefits.models import Grant
from apps.pensions.models import EligibilityChange
from apps.pensions.selectors import eligibility_explain
from tests import factories

D = datetime.date


def test_80th_birthday_starts_the_80_99_bracket_the_month_after(in_bureau, run_engine, entitlements, amount):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1944, 11, 30))
        run_engine(D(2024, 11, 29))
        assert entitlements(person, "longevity") == []
        run_engine(D(2024, 11, 30))
        [ent] = entitlements(person, "longevity")
        assert (ent.variant, ent.start_period, ent.end_period) == ("80-99", D(2024, 12, 1), None)
        assert amount(ent, D(2024, 11, 1)) == Decimal("0.00")
        assert amount(ent, D(2024, 12, 1)) == Decimal("50.00")


def test_100th_birthday_moves_to_100_plus_the_month_after(in_bureau, run_engine, entitlements, amount):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1924, 12, 1))
        run_engine(D(2024, 6, 10))
        [old] = entitlements(person, "longevity")
        # Aged 99 and unknown to the engine until June: paid from June, no back-pay for earlier years.
        assert (old.variant, old.start_period) == ("80-99", D(2024, 6, 1))
        run_engine(D(2024, 12, 1))
        old, new = entitlements(person, "longevity")
        assert (old.variant, old.end_period) == ("80-99", D(2024, 12, 1))
        assert (new.variant, new.start_period, new.end_period) == ("100+", D(2025, 1, 1), None)
        assert amount(old, D(2024, 12, 1)) == Decimal("50.00")
        assert amount(new, D(2024, 12, 1)) == Decimal("0.00")
        assert amount(new, D(2025, 1, 1)) == Decimal("1000.00")
        assert amount(old, D(2025, 1, 1)) == Decimal("0.00")
        change = EligibilityChange.objects.get(person=person, action="rebracket")
        assert (change.period, change.entitlement_id, change.created_entitlement_id) == (D(2025, 1, 1), old.pk, new.pk)


def test_zhongshan_90th_birthday_moves_from_100_to_200(in_bureau, run_engine, entitlements, amount):
    with in_bureau("zhongshan"):
        person = factories.person(birth_date=D(1934, 8, 15))
        run_engine(D(2024, 3, 1))
        run_engine(D(2024, 8, 15))
        old, new = entitlements(person, "longevity")
        assert (old.variant, new.variant, new.start_period) == ("80-89", "90-99", D(2024, 9, 1))
        assert amount(old, D(2024, 8, 1)) == Decimal("100.00")
        assert amount(new, D(2024, 9, 1)) == Decimal("200.00")


def test_death_stops_after_the_month_of_death(in_bureau, run_engine, entitlements, amount):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 1, 5))
        run_engine(D(2025, 1, 10))
        person.status, person.date_of_death = "deceased", D(2025, 3, 10)
        person.save()
        run_engine(D(2025, 3, 11))
        [ent] = entitlements(person, "longevity")
        assert ent.end_period == D(2025, 3, 1)
        assert amount(ent, D(2025, 3, 1)) == Decimal("50.00")
        assert amount(ent, D(2025, 4, 1)) == Decimal("0.00")
        change = EligibilityChange.objects.get(person=person, action="stop")
        assert (change.reason_code, change.facts) == ("deceased", {"date": "2025-03-10"})
        # The history says who/when/why: the entitlement's own history row of the stop.
        assert ent.history.first().history_change_reason == f"pensions.eligibility:{change.pk}"


def test_no_local_hukou_gets_nothing_and_the_engine_says_why(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1935, 5, 5), local_hukou=False)
        run_engine(D(2024, 12, 1))
        assert entitlements(person, "longevity") == []
        with translation.override("en"):
            findings = eligibility_explain(person=person, today=D(2024, 12, 1))
        [finding] = [f for f in findings if f["programme"] == "longevity"]
        assert (finding["eligible"], finding["reason_code"], finding["reason"]) == (
            False, "no_local_hukou", "no local hukou")


def test_losing_local_hukou_stops_with_that_reason(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1935, 5, 5))
        run_engine(D(2024, 10, 1))
        person.local_hukou = False
        person.save()
        run_engine(D(2024, 12, 5))
        [ent] = entitlements(person, "longevity")
        assert ent.end_period == D(2024, 12, 1)
        assert EligibilityChange.objects.get(person=person, action="stop").reason_code == "no_local_hukou"


def test_guangzhou_101_year_old_gets_300_a_month_and_one_october_grant(in_bureau, run_engine, entitlements, amount):
    with in_bureau("guangzhou"):
        person = factories.person(birth_date=D(1923, 6, 1))
        run_engine(D(2024, 10, 8))
        [ent] = entitlements(person, "longevity")
        assert (ent.variant, ent.start_period) == ("100+", D(2024, 10, 1))
        assert amount(ent, D(2024, 10, 1)) == Decimal("300.00")
        [grant] = Grant.objects.filter(person=person)
        assert (grant.amount, grant.period, grant.status) == (Decimal("1000.00"), D(2024, 10, 1), "pending")
        assert grant.source == f"pensions.longevity-grant:{person.pk}:2024"
        again = run_engine(D(2024, 10, 9))
        later = run_engine(D(2024, 11, 20))
        assert again.summary["changes"] == later.summary["changes"] == 0
        assert Grant.objects.filter(person=person).count() == 1


def test_october_grant_waits_for_confirmation_and_is_not_proposed_twice(in_bureau, run_engine, approver):
    from apps.pensions.services import eligibility_changes_confirm

    with in_bureau("guangzhou"):
        person = factories.person(birth_date=D(1923, 6, 1))
        run_engine(D(2024, 10, 8), confirm=False)
        run_engine(D(2024, 10, 9), confirm=False)
        grant_change = EligibilityChange.objects.get(person=person, action="grant")
        assert (grant_change.status, grant_change.amount) == ("pending", Decimal("1000.00"))
        assert not Grant.objects.filter(person=person).exists()
        eligibility_changes_confirm(change_ids=[grant_change.pk], user=approver("guangzhou"))
        grant_change.refresh_from_db()
        assert grant_change.created_grant.amount == Decimal("1000.00")
        assert run_engine(D(2024, 10, 10)).summary["by_programme"].get("longevity", {}).get("grant") is None


def test_no_grant_before_october_nor_for_a_99_year_old(in_bureau, run_engine):
    with in_bureau("guangzhou"):
        centenarian = factories.person(birth_date=D(1923, 6, 1))
        younger = factories.person(birth_date=D(1924, 11, 2))  # 100 only in November
        run_engine(D(2024, 9, 30))
        assert not Grant.objects.filter(person=centenarian).exists()
        run_engine(D(2024, 10, 15))
        assert Grant.objects.filter(person=centenarian).count() == 1
        assert not Grant.objects.filter(person=younger).exists()


def test_bureau_without_longevity_standards_pays_none(in_bureau, run_engine, entitlements):
    with in_bureau("haifeng"):
        person = factories.person(birth_date=D(1930, 1, 1))
        run_engine(D(2024, 6, 1))
        assert entitlements(person, "longevity") == []
        [finding] = [f for f in eligibility_explain(person=person, today=D(2024, 6, 1)) if f["programme"] == "longevity"]
        assert finding["reason_code"] == "no_standard"


def test_suspended_entitlement_is_not_moved_nor_doubled(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1924, 12, 1))
        run_engine(D(2024, 6, 10))
        [ent] = entitlements(person, "longevity")
        ent.status = "suspended"
        ent.save()
        assert run_engine(D(2024, 12, 2)).summary["changes"] == 0
        assert entitlements(person, "longevity") == [ent]
        person.status, person.date_of_death = "deceased", D(2025, 1, 20)
        person.save()
        run_engine(D(2025, 1, 21))
        ent.refresh_from_db()
        assert (ent.status, ent.end_period) == ("suspended", D(2025, 1, 1))

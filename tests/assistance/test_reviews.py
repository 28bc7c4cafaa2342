"""Reviews (复核): due dates, outcomes from the next period, 渐退期, and the nightly overdue step."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assistance import services
from apps.assistance.models import Review
from apps.benefits import selectors
from apps.benefits.models import Entitlement
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db


def _household(birth_dates, **fields):
    members = [factories.person(birth_date=b) for b in birth_dates]
    return factories.household(*members, **fields), members


def test_elderly_household_is_due_after_12_months_and_mixed_after_6(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        elderly, (a, b) = _household([datetime.date(1950, 1, 1), datetime.date(1952, 6, 1)])
        app = wf.through(wf.apply(household=elderly), incomes=[(a, "pension", "400")])
        review = Review.objects.get(household=elderly)
        assert review.stable is True
        assert review.due_on == datetime.date(app.decided_on.year + 1, app.decided_on.month, app.decided_on.day)

        mixed, (c, d) = _household([datetime.date(1950, 1, 1), datetime.date(1985, 6, 1)])
        app = wf.through(wf.apply(household=mixed), incomes=[(d, "wages", "400")])
        review = Review.objects.get(household=mixed)
        assert review.stable is False
        from apps.benefits.rules import add_months_to_date
        assert review.due_on == add_months_to_date(app.decided_on, 6)


def test_seriously_ill_and_severely_disabled_adults_count_as_stable(in_bureau):
    from apps.people.models import DisabilityCertificate

    with in_bureau("zhongshan"):
        h, (ill, disabled) = _household([datetime.date(1980, 1, 1), datetime.date(1982, 1, 1)])
        ill.seriously_ill = True
        ill.save()
        DisabilityCertificate.objects.create(person=disabled, number="44200019820101001X11", category="physical",
                                             level=2, valid_from=datetime.date(2020, 1, 1))
        e = factories.entitlement(programme="dibao", household=h, per_capita_income=D("100"), covered_members=2)
        review = services.review_schedule(entitlement=e, after=datetime.date(2024, 3, 10))
        assert (review.stable, review.due_on) == (True, datetime.date(2025, 3, 10))


def _reviewed_entitlement(schema="zhongshan"):
    """中山, 3 members with per-capita income 500 since 2024-01: (1225 − 500) × 3 = 2175.00 a month."""
    h, members = _household([datetime.date(1985, 1, 1)] * 3)
    e = factories.entitlement(programme="dibao", household=h, per_capita_income=D("500"), covered_members=3)
    review = services.review_schedule(entitlement=e, after=datetime.date(2023, 9, 1))
    return e, review


def amounts(entitlement, months):
    return [selectors.entitlement_amount(entitlement=entitlement, period=datetime.date(2024, m, 1)) for m in months]


def test_phase_out_pays_six_more_periods_unchanged_then_stops(in_bureau, user_named):
    with in_bureau("zhongshan"):
        e, review = _reviewed_entitlement()
        services.review_complete(review=review, user=user_named("zhongshan-reviewer"), outcome="phase_out",
                                 per_capita_income="1300", on=datetime.date(2024, 3, 20), note="子女就业")
        e.refresh_from_db()
        assert e.end_period == datetime.date(2024, 9, 1)
        assert e.reason == "phase-out period of 6 months until 2024-09: 子女就业"
        # April … September unchanged (6 periods), nothing from October.
        assert amounts(e, range(3, 11)) == [D("2175.00")] * 7 + [D("0.00")]
        review.refresh_from_db()
        assert (review.status, review.outcome) == ("done", "phase_out")
        assert not Review.objects.filter(entitlement=e, status="scheduled").exists()


def test_phase_out_needs_income_above_the_standard(in_bureau, user_named):
    with in_bureau("zhongshan"):
        e, review = _reviewed_entitlement()
        with pytest.raises(ValidationError, match="A phase-out period starts when income exceeds the standard; 1000.00 is below "
                                                  "1225.00."):
            services.review_complete(review=review, user=user_named("zhongshan-reviewer"), outcome="phase_out",
                                     per_capita_income="1000", on=datetime.date(2024, 3, 20))
        e.refresh_from_db()
        assert e.end_period is None


def test_income_above_the_standard_cannot_be_left_unchanged(in_bureau, user_named):
    with in_bureau("zhongshan"):
        _e, review = _reviewed_entitlement()
        with pytest.raises(ValidationError, match="choose a phase-out period or stop"):
            services.review_complete(review=review, user=user_named("zhongshan-reviewer"), outcome="unchanged",
                                     per_capita_income="1225", on=datetime.date(2024, 3, 20))


def test_amount_change_from_the_next_period(in_bureau, user_named):
    with in_bureau("zhongshan"):
        e, review = _reviewed_entitlement()
        done = services.review_complete(review=review, user=user_named("zhongshan-reviewer"),
                                        outcome="amount_changed", per_capita_income="700",
                                        on=datetime.date(2024, 3, 20))
        new = done.new_entitlement
        e.refresh_from_db()
        assert e.end_period == datetime.date(2024, 3, 1)
        assert new.start_period == datetime.date(2024, 4, 1)
        assert amounts(e, [3, 4]) == [D("2175.00"), D("0.00")]
        assert amounts(new, [3, 4]) == [D("0.00"), D("1575.00")]     # (1225 − 700) × 3
        # The next review follows the new entitlement, 6 months on (a household of working-age adults).
        nxt = Review.objects.get(entitlement=new)
        assert (nxt.status, nxt.due_on) == ("scheduled", datetime.date(2024, 9, 20))


def test_stop_from_the_month_after_the_review(in_bureau, user_named):
    with in_bureau("zhongshan"):
        e, review = _reviewed_entitlement()
        services.review_complete(review=review, user=user_named("zhongshan-reviewer"), outcome="stop",
                                 on=datetime.date(2024, 3, 20), note="迁出本市")
        e.refresh_from_db()
        assert (e.status, e.end_period, e.reason) == ("stopped", datetime.date(2024, 3, 1), "迁出本市")


def test_unchanged_schedules_the_next_review(in_bureau, user_named):
    with in_bureau("zhongshan"):
        e, review = _reviewed_entitlement()
        services.review_complete(review=review, user=user_named("zhongshan-reviewer"), outcome="unchanged",
                                 per_capita_income="500", on=datetime.date(2024, 3, 20))
        assert list(Review.objects.filter(entitlement=e).values_list("status", "due_on").order_by("id")) == [
            ("done", datetime.date(2024, 3, 1)), ("scheduled", datetime.date(2024, 9, 20))]


def test_a_caseworker_cannot_complete_a_review(in_bureau, user_named):
    with in_bureau("zhongshan"):
        _e, review = _reviewed_entitlement()
        with pytest.raises(PermissionDenied, match="assistance.review_application"):
            services.review_complete(review=review, user=user_named("zhongshan-caseworker1"), outcome="unchanged")
        review.refresh_from_db()
        assert review.status == "scheduled"


def test_nightly_overdue_step(in_bureau, user_named):
    with in_bureau("xcity"):
        e1 = factories.entitlement(programme="dibao", variant="urban", household=factories.household(factories.person()),
                                   per_capita_income=D("100"), covered_members=1)
        e2 = factories.entitlement(programme="dibao", variant="urban", household=factories.household(factories.person()),
                                   per_capita_income=D("100"), covered_members=1)
        e3 = factories.entitlement(programme="dibao", variant="urban", household=factories.household(factories.person()),
                                   per_capita_income=D("100"), covered_members=1)
        overdue = services.review_schedule(entitlement=e1, after=datetime.date(2024, 1, 10))     # due 2024-07-10
        not_yet = services.review_schedule(entitlement=e2, after=datetime.date(2024, 3, 10))     # due 2024-09-10
        moot = services.review_schedule(entitlement=e3, after=datetime.date(2024, 1, 10))
        Entitlement.objects.filter(pk=e3.pk).update(status="stopped", end_period=datetime.date(2024, 2, 1))
        summary = services.reviews_overdue(today=datetime.date(2024, 7, 11))
        town = e1.household.town.name
        assert summary == {"overdue": 1, "newly_overdue": 1, "cancelled": 1, "by_town": {town: 1}}
        assert [Review.objects.get(pk=r.pk).status for r in (overdue, not_yet, moot)] == [
            "overdue", "scheduled", "cancelled"]
        # Run again the same night: nothing new.
        assert services.reviews_overdue(today=datetime.date(2024, 7, 11))["newly_overdue"] == 0
        # An overdue review can still be done.
        services.review_complete(review=overdue, user=user_named("xcity-reviewer"), outcome="unchanged",
                                 on=datetime.date(2024, 7, 12))
        assert Review.objects.get(pk=overdue.pk).status == "done"

"""Writes to standards, entitlements and grants: rules enforced, bad input refused with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.benefits import selectors, services
from apps.benefits.models import Entitlement, Grant, Standard
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db


def messages(err) -> str:
    return " ".join(err.value.messages)


# --------------------------------------------------------------------------- standards


def test_approver_creates_a_standard_with_a_past_date_and_history(in_bureau, user_named):
    with in_bureau("zhongshan"):
        approver = user_named("zhongshan-approver")
        s = services.standard_create(user=approver, programme="dibao", variant="unified", amount="1250",
                                     effective_from=datetime.date(2024, 10, 1), source="raise 2024-10")
        assert s.amount == D("1250.00")
        assert selectors.standard_monthly(programme="dibao", variant="unified", period=datetime.date(2024, 9, 1)) == D("1225.00")
        assert selectors.standard_monthly(programme="dibao", variant="unified", period=datetime.date(2024, 10, 1)) == D("1250.00")
        record = s.history.get()
        assert (record.history_type, record.history_user) == ("+", approver)


def test_update_keeps_history(in_bureau, user_named):
    with in_bureau("zhongshan"):
        admin = user_named("zhongshan-admin")
        s = services.standard_create(user=admin, programme="disability_living", amount="209",
                                     effective_from=datetime.date(2026, 1, 1))
        services.standard_update(user=admin, standard=s, amount="210.50")
        s.refresh_from_db()
        assert s.amount == D("210.50")
        assert [h.amount for h in s.history.order_by("history_id")] == [D("209.00"), D("210.50")]


@pytest.mark.parametrize("username", ["zhongshan-caseworker1", "zhongshan-finance", "zhongshan-reviewer"])
def test_only_admin_and_approver_edit_standards(in_bureau, user_named, username):
    with in_bureau("zhongshan"):
        count = Standard.objects.count()
        with pytest.raises(PermissionDenied, match="benefits.add_standard"):
            services.standard_create(user=user_named(username), programme="dibao", amount="1300",
                                     effective_from=datetime.date(2025, 1, 1))
        assert Standard.objects.count() == count


@pytest.mark.parametrize("fields, field, message", [
    ({"amount": "-1"}, "amount", "The amount cannot be negative (-1)."),
    ({"amount": "abc"}, "amount", "The amount must be a number of yuan, not 'abc'."),
    ({"effective_from": None}, "effective_from", "The effective date is required."),
    ({"effective_from": "2025-13-01"}, "effective_from", "'2025-13-01' is not a date (YYYY-MM-DD)."),
    ({"unit": "week"}, "unit", "The unit is month or year, not 'week'."),
    ({"variant": "suburban"}, "variant", "'suburban' is not a variant of dibao (expected rural, unified, urban)."),
    ({"programme": "lottery"}, "programme", "There is no programme 'lottery'."),
    ({"effective_from": datetime.date(2024, 1, 1)}, "effective_from",
     "A standard for dibao/unified effective 2024-01-01 already exists"),
])
def test_bad_standards_are_refused_with_a_specific_message(in_bureau, user_named, fields, field, message):
    with in_bureau("zhongshan"):
        count = Standard.objects.count()
        values = {"programme": "dibao", "variant": "unified", "amount": "1300", "unit": "month",
                  "effective_from": datetime.date(2025, 1, 1), **fields}
        with pytest.raises(ValidationError) as err:
            services.standard_create(user=user_named("zhongshan-admin"), **values)
        assert message in " ".join(err.value.message_dict[field])
        assert Standard.objects.count() == count


def test_update_into_a_duplicate_date_is_refused(in_bureau, user_named):
    with in_bureau("haifeng"):
        admin = user_named("haifeng-admin")
        old = Standard.objects.get(programme_id="dibao", variant="urban", effective_from=datetime.date(2022, 1, 1))
        with pytest.raises(ValidationError, match="already exists"):
            services.standard_update(user=admin, standard=old, effective_from=datetime.date(2023, 1, 1))
        old.refresh_from_db()
        assert old.effective_from == datetime.date(2022, 1, 1)


def test_longevity_brackets_are_variants(in_bureau, user_named):
    with in_bureau("xcity"):
        s = services.standard_create(user=user_named("xcity-admin"), programme="longevity", variant="90-99",
                                     amount="80", effective_from=datetime.date(2025, 1, 1))
        assert s.variant == "90-99"
        grant = services.standard_create(user=user_named("xcity-admin"), programme="longevity",
                                         variant="grant:100+:10", amount="1000", unit="year",
                                         effective_from=datetime.date(2025, 1, 1))
        assert grant.variant == "grant:100+:10"
        for bad in ("ninety", "grant:100+:13", "grant:100+"):
            with pytest.raises(ValidationError, match="is not a variant of longevity"):
                services.standard_create(user=user_named("xcity-admin"), programme="longevity", variant=bad,
                                         amount="1", effective_from=datetime.date(2025, 1, 1))


# --------------------------------------------------------------------------- entitlements


def _dibao_household(town_name=None, n=3, hukou="urban"):
    members = [factories.person(town_name=town_name, hukou_class=hukou) for _ in range(n)]
    return factories.household(*members, hukou_class=hukou), members


def test_entitlement_create_and_change_facts_from_a_period(in_bureau):
    with in_bureau("haifeng"):
        h, members = _dibao_household(hukou="rural")
        e = services.entitlement_create(programme="dibao", variant="rural", household=h, payee_person=members[0],
                                        per_capita_income="200", covered_members=3,
                                        start_period=datetime.date(2023, 1, 1))
        new = services.entitlement_change_facts(entitlement=e, from_period=datetime.date(2023, 7, 1),
                                                per_capita_income="300", reason="wages rose")
        e.refresh_from_db()
        assert e.end_period == datetime.date(2023, 6, 1) and e.status == "active"
        assert new.start_period == datetime.date(2023, 7, 1) and new.end_period is None
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 6, 1)) == D("1596.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 7, 1)) == D("0.00")
        assert selectors.entitlement_amount(entitlement=new, period=datetime.date(2023, 7, 1)) == D("1296.00")


def test_a_second_open_dibao_for_a_household_is_refused(in_bureau):
    with in_bureau("zhongshan"):
        h, members = _dibao_household()
        kw = dict(programme="dibao", household=h, payee_person=members[0], per_capita_income="100",
                  covered_members=3, start_period=datetime.date(2024, 1, 1))
        services.entitlement_create(**kw)
        with pytest.raises(ValidationError, match="There is already an open dibao entitlement for this household."):
            services.entitlement_create(**kw)
        assert Entitlement.objects.filter(household=h).count() == 1


def test_tekun_for_a_person_on_dibao_is_refused(in_bureau):
    with in_bureau("zhongshan"):
        h, members = _dibao_household()
        services.entitlement_create(programme="dibao", household=h, payee_person=members[0], per_capita_income="100",
                                    covered_members=3, start_period=datetime.date(2024, 1, 1))
        with pytest.raises(ValidationError) as err:
            services.entitlement_create(programme="tekun", person=members[1], payee_person=members[1],
                                        start_period=datetime.date(2024, 6, 1))
        assert "is covered by dibao entitlement" in messages(err)
        assert "a person is never on dibao and tekun at once" in messages(err)
        assert not Entitlement.objects.filter(person=members[1]).exists()


def test_dibao_for_a_household_with_a_member_on_tekun_is_refused(in_bureau):
    with in_bureau("zhongshan"):
        h, members = _dibao_household()
        services.entitlement_create(programme="tekun", person=members[2], payee_person=members[2],
                                    start_period=datetime.date(2024, 1, 1))
        with pytest.raises(ValidationError, match="receives tekun support"):
            services.entitlement_create(programme="dibao", household=h, payee_person=members[0],
                                        per_capita_income="100", covered_members=3,
                                        start_period=datetime.date(2024, 6, 1))


def test_dibao_after_the_tekun_ended_is_allowed(in_bureau):
    with in_bureau("zhongshan"):
        h, members = _dibao_household()
        t = services.entitlement_create(programme="tekun", person=members[2], payee_person=members[2],
                                        start_period=datetime.date(2024, 1, 1))
        services.entitlement_stop(entitlement=t, reason="moved", end_period=datetime.date(2024, 5, 1))
        e = services.entitlement_create(programme="dibao", household=h, payee_person=members[0],
                                        per_capita_income="100", covered_members=3,
                                        start_period=datetime.date(2024, 6, 1))
        assert e.pk


@pytest.mark.parametrize("fields, message", [
    ({"start_period": datetime.date(2024, 1, 15)}, "The first period must be the first day of a month"),
    ({"per_capita_income": "-5"}, "The per-capita income cannot be negative (-5)."),
    ({"per_capita_income": "lots"}, "The per-capita income must be a number of yuan, not 'lots'."),
    ({"covered_members": 0}, "At least one member must be covered."),
    ({"addon_members": 4}, "4 members with an add-on, but only 3 covered."),
    ({"programme": "temporary"}, "temporary pays once: record a grant, not an entitlement."),
    ({"end_period": datetime.date(2023, 1, 1)}, "The last period 2023-01-01 is before the first 2024-01-01."),
])
def test_bad_entitlements_are_refused(in_bureau, fields, message):
    with in_bureau("zhongshan"):
        h, members = _dibao_household()
        values = {"programme": "dibao", "household": h, "payee_person": members[0], "per_capita_income": "100",
                  "covered_members": 3, "start_period": datetime.date(2024, 1, 1), **fields}
        with pytest.raises(ValidationError) as err:
            services.entitlement_create(**values)
        assert message in messages(err)
        assert not Entitlement.objects.filter(household=h).exists()


def test_suspend_resume_and_stop(in_bureau):
    with in_bureau("zhongshan"):
        p = factories.person()
        e = services.entitlement_create(programme="tekun", person=p, payee_person=p,
                                        start_period=datetime.date(2024, 1, 1))
        services.entitlement_suspend(entitlement=e, reason="whereabouts unknown")
        e.refresh_from_db()
        assert e.status == "suspended"
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 3, 1)) == D("0.00")
        services.entitlement_resume(entitlement=e, reason="found")
        services.entitlement_stop(entitlement=e, reason="moved away", end_period=datetime.date(2024, 8, 1))
        e.refresh_from_db()
        assert (e.status, e.end_period, e.reason) == ("stopped", datetime.date(2024, 8, 1), "moved away")
        assert e.history.count() == 4
        with pytest.raises(ValidationError, match="already stopped"):
            services.entitlement_stop(entitlement=e, reason="again", end_period=datetime.date(2024, 9, 1))
        with pytest.raises(ValidationError, match="Give the reason."):
            services.entitlement_suspend(entitlement=e, reason=" ")


def test_entitlements_stop_for_deaths_is_set_based_and_idempotent(in_bureau):
    with in_bureau("xcity"):
        alive, dead, early = factories.person(), factories.person(), factories.person()
        e_alive = factories.entitlement(programme="tekun", person=alive)
        e_dead = factories.entitlement(programme="tekun", person=dead)
        e_care = factories.entitlement(programme="tekun_care", person=dead, variant="full", care_level="full")
        # Died before the entitlement's first period: its last period is the month before, nothing pays.
        e_early = factories.entitlement(programme="longevity", variant="80-99", person=early,
                                        start_period=datetime.date(2024, 9, 1))
        dead.status, dead.date_of_death = "deceased", datetime.date(2024, 5, 17)
        dead.save()
        early.status, early.date_of_death = "deceased", datetime.date(2024, 6, 2)
        early.save()
        summary = services.entitlements_stop_for_deaths(today=datetime.date(2024, 5, 18))
        assert summary["stopped"] == 3
        assert summary["by_programme"] == {"tekun": 1, "tekun_care": 1, "longevity": 1}
        for e in (e_dead, e_care):
            e.refresh_from_db()
            assert (e.status, e.end_period) == ("stopped", datetime.date(2024, 5, 1))
            assert e.history.first().history_change_reason == "nightly: deaths"
        e_early.refresh_from_db()
        assert (e_early.status, e_early.end_period) == ("stopped", datetime.date(2024, 8, 1))
        e_alive.refresh_from_db()
        assert (e_alive.status, e_alive.end_period) == ("active", None)
        assert services.entitlements_stop_for_deaths(today=datetime.date(2024, 5, 19))["stopped"] == 0


# --------------------------------------------------------------------------- grants


def test_grant_create_and_cancel(in_bureau):
    with in_bureau("nanshan"):
        p = factories.person()
        g = services.grant_create(programme="temporary", amount="1500", period=datetime.date(2024, 3, 1), person=p,
                                  payee_person=p, source="test:1")
        with pytest.raises(ValidationError, match="A grant for test:1 already exists."):
            services.grant_create(programme="temporary", amount="1500", period=datetime.date(2024, 3, 1), person=p,
                                  payee_person=p, source="test:1")
        services.grant_cancel(grant=g, reason="duplicate application")
        g.refresh_from_db()
        assert g.status == "cancelled"
        with pytest.raises(ValidationError, match="only a pending grant can be cancelled"):
            services.grant_cancel(grant=g, reason="again")


@pytest.mark.parametrize("fields, message", [
    ({"amount": "-1"}, "The amount cannot be negative (-1)."),
    ({"amount": "0"}, "A grant must be more than 0.00."),
    ({"programme": "dibao"}, "dibao is not a one-off programme."),
    ({"payee_person": None}, "A grant is paid to exactly one payee"),
    ({"payee_person": None, "payee_name": "殡仪馆", "payee_account": "12"}, "A bank account number is 12 to 19 digits."),
])
def test_bad_grants_are_refused(in_bureau, fields, message):
    with in_bureau("nanshan"):
        p = factories.person()
        values = {"programme": "temporary", "amount": "100", "period": datetime.date(2024, 3, 1), "person": p,
                  "payee_person": p, **fields}
        with pytest.raises(ValidationError) as err:
            services.grant_create(**values)
        assert message in messages(err)
        assert not Grant.objects.filter(person=p).exists()


@pytest.mark.parametrize("schema", ["zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"])
def test_every_seeded_standard_passes_the_services_checks(in_bureau, schema):
    """A bureau admin can open and save any seeded standard: its variant and amount are valid."""
    with in_bureau(schema):
        for s in Standard.objects.all():
            services.standard_validate(programme=s.programme_id, variant=s.variant, amount=s.amount, unit=s.unit,
                                       effective_from=s.effective_from, exclude_pk=s.pk)

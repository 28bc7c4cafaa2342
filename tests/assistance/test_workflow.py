"""The application workflow: happy paths with the issue's worked numbers, and every guard."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assistance import services
from apps.assistance.models import Application, ApplicationTransition, IncomeRecord, Objection, Review
from apps.benefits import selectors
from apps.benefits.models import Entitlement, Grant
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db


def msg(err) -> str:
    return " ".join(err.value.messages)


def household(n=3, *, hukou="urban", town_name=None, birth_dates=(), **fields):
    dates = list(birth_dates) + [datetime.date(1985, 1, 1)] * n
    members = [factories.person(hukou_class=hukou, town_name=town_name, birth_date=dates[i]) for i in range(n)]
    return factories.household(*members, hukou_class=hukou, **fields), members


# --------------------------------------------------------------------------- happy paths


def test_haifeng_rural_household_of_three_from_application_to_entitlement(in_bureau, workflow, next_period):
    with in_bureau("haifeng"):
        wf = workflow("haifeng")
        h, (a, b, c) = household(hukou="rural")
        app = wf.apply(household=h, reason="丧失劳动能力")
        app = wf.investigate(app, incomes=[(a, "wages", "450"), (b, "business", "150"),
                                           (c, "disability_allowance", "195")])   # not counted
        assert (app.total_income, app.per_capita_income, app.household_size) == (D("600.00"), D("200.00"), 3)
        app = wf.check_and_publicise(app)
        assert (app.classification, app.standard) == ("dibao", D("732.00"))
        app = wf.approve(app)
        assert app.status == "approved" and app.decided_by == wf.approver
        e = Entitlement.objects.get(source=f"assistance.application:{app.pk}")
        assert (e.programme_id, e.variant, e.household, e.payee_person) == ("dibao", "rural", h, a)
        assert (e.per_capita_income, e.covered_members, e.addon_members) == (D("200.00"), 3, 0)
        # From the month after approval, never before.
        assert e.start_period == next_period
        assert selectors.entitlement_amount(entitlement=e, period=next_period) == D("1596.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date.today().replace(day=1)) == D("0.00")
        steps = list(ApplicationTransition.objects.filter(application=app).values_list("action", "from_status",
                                                                                          "to_status", "user__username"))
        assert steps == [
            ("submit", "", "submitted", "haifeng-caseworker1"),
            ("accept", "submitted", "accepted", "haifeng-caseworker1"),
            ("investigate", "accepted", "investigated", "haifeng-caseworker1"),
            ("check", "investigated", "checked", "haifeng-caseworker1"),
            ("publicise", "checked", "publicised", "haifeng-caseworker1"),
            ("approve", "publicised", "approved", "haifeng-approver"),
        ]


def test_zhongshan_household_with_a_member_aged_70_gets_the_40_percent_addon(in_bureau, workflow, next_period):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        seventy = datetime.date.today().replace(year=datetime.date.today().year - 70) - datetime.timedelta(days=40)
        h, (a, b, c) = household(birth_dates=[datetime.date(1985, 1, 1), seventy])
        app = wf.through(wf.apply(household=h), incomes=[(a, "wages", "1500")])
        e = Entitlement.objects.get(source=app.source_key)
        assert (e.per_capita_income, e.covered_members, e.addon_members) == (D("500.00"), 3, 1)
        # (1225 − 500) × 3 + 0.40 × 1225
        assert selectors.entitlement_amount(entitlement=e, period=next_period) == D("2665.00")


def test_income_equal_to_the_standard_gives_a_marginal_household_not_dibao(in_bureau, workflow, next_period):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, b) = household(2)
        app = wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "2450")])   # 1225 per capita
        app = wf.check_and_publicise(app)
        assert app.classification == "dibao_marginal"
        app = wf.approve(app)
        e = Entitlement.objects.get(source=app.source_key)
        assert (e.programme_id, e.per_capita_income) == ("dibao_marginal", D("1225.00"))
        assert selectors.entitlement_amount(entitlement=e, period=next_period) == D("0.00")
        # 低保边缘 is reviewed yearly.
        review = Review.objects.get(entitlement=e)
        assert review.due_on == app.decided_on.replace(year=app.decided_on.year + 1)


def test_income_at_one_and_a_half_times_the_standard_is_not_eligible(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, b) = household(2)
        app = wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "3675")])   # 1837.50 = 1.5 × 1225
        app = services.application_transition(application=app, action="check", user=wf.caseworker)
        assert app.classification == "not_eligible"
        with pytest.raises(ValidationError, match="is not eligible .*reject it instead of publicising"):
            services.application_transition(application=app, action="publicise", user=wf.caseworker)
        with pytest.raises(ValidationError, match="Give the reason for the rejection."):
            services.application_transition(application=app, action="reject", user=wf.approver)
        app = services.application_transition(application=app, action="reject", user=wf.approver,
                                              note="收入超过低保边缘标准")
        assert app.status == "rejected" and app.decision_note == "收入超过低保边缘标准"
        assert not Entitlement.objects.filter(source=app.source_key).exists()


def test_tekun_institutional_with_care_level(in_bureau, workflow, next_period):
    from apps.people.models import CareInstitution

    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        home = CareInstitution.objects.create(name="测试敬老院", ownership="public", town=factories.town(), beds=100,
                                              nursing_beds=60, bank_account="622200001111222")
        p = factories.person(birth_date=datetime.date(1940, 5, 1))
        app = wf.apply("tekun", person=p, support_mode="institutional", care_institution=home)
        services.care_assessment_record(person=p, user=wf.caseworker, on=wf.ago(29), eating=True, dressing=False,
                                        bed_transfer=True, toilet=False, walking_indoors=True, bathing=False)
        app = wf.through(app)
        assert app.care_level == "partial" and app.standard == D("1960.00")
        basic = Entitlement.objects.get(source=app.source_key, programme_id="tekun")
        care = Entitlement.objects.get(source=app.source_key, programme_id="tekun_care")
        assert (basic.payee_institution, basic.payee_person, basic.start_period) == (home, None, next_period)
        assert (care.care_level, care.payee_institution) == ("partial", home)
        assert selectors.entitlement_amount(entitlement=basic, period=next_period) == D("1960.00")
        assert selectors.entitlement_amount(entitlement=care, period=next_period) == D("570.00")


def test_tekun_dispersed_is_paid_to_the_person(in_bureau, workflow, next_period):
    with in_bureau("haifeng"):
        wf = workflow("haifeng")
        p = factories.person(hukou_class="rural")
        app = wf.apply("tekun", person=p, support_mode="dispersed")
        services.care_assessment_record(person=p, user=wf.caseworker, on=wf.ago(29), eating=True, dressing=True,
                                        bed_transfer=True, toilet=True, walking_indoors=True, bathing=True)
        app = wf.through(app)
        basic = Entitlement.objects.get(source=app.source_key, programme_id="tekun")
        assert (basic.variant, basic.payee_person) == ("rural", p)
        assert selectors.entitlement_amount(entitlement=basic, period=next_period) == D("1172.00")
        care = Entitlement.objects.get(source=app.source_key, programme_id="tekun_care")
        assert selectors.entitlement_amount(entitlement=care, period=next_period) == D("81.00")


def test_temporary_assistance_becomes_a_grant_and_above_the_cap_is_refused(in_bureau, workflow, next_period):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, b) = household(2)
        with pytest.raises(ValidationError) as err:
            wf.apply("temporary", household=h, requested_amount="3675.01")
        assert err.value.message_dict["requested_amount"] == [
            "3675.01 is above the temporary-assistance cap of 3675.00 (3 × the dibao standard 1225.00)."]
        assert not Application.objects.filter(household=h).exists()
        app = wf.through(wf.apply("temporary", household=h, requested_amount="3675"))
        grant = Grant.objects.get(source=app.source_key)
        assert (grant.amount, grant.period, grant.payee_person, grant.status) == (D("3675.00"), next_period, a,
                                                                                   "pending")


# --------------------------------------------------------------------------- guards


def test_out_of_order_transition_is_refused_and_changes_nothing(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, _ = household()
        app = wf.apply(household=h)
        app = services.application_transition(application=app, action="accept", user=wf.caseworker)
        with pytest.raises(ValidationError) as err:
            services.application_transition(application=app, action="approve", user=wf.approver)
        assert err.value.message_dict["action"] == [
            f"Cannot approve application #{app.pk}: it is accepted. Possible now: investigate, reject."]
        with pytest.raises(ValidationError, match="Unknown action 'fast_track'"):
            services.application_transition(application=app, action="fast_track", user=wf.approver)
        app.refresh_from_db()
        assert app.status == "accepted"
        assert app.transitions.count() == 2


def test_investigation_needs_the_assets_check(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, _ = household()
        app = services.application_transition(application=wf.apply(household=h), action="accept", user=wf.caseworker)
        with pytest.raises(ValidationError, match="Record the assets check before closing the investigation."):
            services.application_transition(application=app, action="investigate", user=wf.caseworker)
        app.refresh_from_db()
        assert app.status == "accepted" and app.investigated_by is None


def test_approval_by_the_investigator_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        admin = wf.user("zhongshan-admin")   # holds every permission, investigated it
        h, (a, *_) = household()
        app = wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")], user=admin)
        app = wf.check_and_publicise(app, user=admin)
        with pytest.raises(ValidationError) as err:
            wf.approve(app, user=admin)
        assert msg(err) == (f"zhongshan-admin investigated application #{app.pk} and may not also approve it; "
                            "another approver must decide.")
        app.refresh_from_db()
        assert app.status == "publicised"
        assert not Entitlement.objects.filter(source=app.source_key).exists()


def test_approval_before_publicity_ends_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")])
        app = wf.check_and_publicise(app, publicised_days=6)   # posted 6 days ago: day 7 is today
        end = wf.ago(0)
        with pytest.raises(ValidationError) as err:
            wf.approve(app)
        assert msg(err) == (f"Publicity of application #{app.pk} runs until {end.isoformat()}; it can be approved "
                            f"from {(end + datetime.timedelta(days=1)).isoformat()}.")
        assert not Entitlement.objects.filter(source=app.source_key).exists()


def test_approval_seven_days_after_publicising_is_allowed(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")])
        app = wf.check_and_publicise(app, publicised_days=7)
        assert wf.approve(app).status == "approved"


def test_approval_by_a_caseworker_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = wf.check_and_publicise(wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")]))
        with pytest.raises(PermissionDenied) as err:
            wf.approve(app, user=wf.caseworker)
        assert str(err.value) == "You may not approve an application: that needs the permission assistance.approve_application."
        app.refresh_from_db()
        assert app.status == "publicised"


def test_a_caseworker_cannot_apply_for_a_household_of_another_town(in_bureau, workflow):
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        other_town = Town.objects.order_by("id")[1]
        h, (a, *_) = household(town_name=other_town.name)
        with pytest.raises(ValidationError) as err:
            wf.apply(household=h)
        assert err.value.message_dict == {"household": [f"No household #{h.pk} in your town."]}
        with pytest.raises(ValidationError, match=f"No person #{a.pk} in your town."):
            wf.apply("temporary", person=a, requested_amount="100")
        assert not Application.objects.filter(town=other_town).exists()
        # …nor move another town's application along.
        app = services.application_create(user=wf.user("zhongshan-caseworker2"), programme="dibao", household=h)
        with pytest.raises(ValidationError, match=f"Application #{app.pk} is not in your town."):
            services.application_transition(application=app, action="accept", user=wf.caseworker)


def test_tekun_application_for_a_person_on_dibao_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, b, c) = household()
        wf.through(wf.apply(household=h), incomes=[(a, "wages", "300")])
        Entitlement.objects.filter(household=h).update(start_period=datetime.date.today().replace(day=1))
        with pytest.raises(ValidationError) as err:
            wf.apply("tekun", person=b, support_mode="dispersed")
        assert "is covered by dibao entitlement" in msg(err)
        assert "a person is never on dibao and tekun at once" in msg(err)
        assert not Application.objects.filter(person=b, programme="tekun").exists()


@pytest.mark.parametrize("amount, message", [
    ("-5", "Income cannot be negative (-5)."),
    ("abc", "Income must be a number of yuan, not 'abc'."),
    ("", "Income must be a number of yuan, not ''."),
])
def test_negative_or_non_numeric_income_is_refused(in_bureau, workflow, amount, message):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = services.application_transition(application=wf.apply(household=h), action="accept", user=wf.caseworker)
        with pytest.raises(ValidationError) as err:
            services.income_record_set(application=app, user=wf.caseworker, person=a, income_type="wages",
                                       monthly_amount=amount)
        assert err.value.message_dict == {"monthly_amount": [message]}
        assert not IncomeRecord.objects.filter(application=app).exists()


def test_income_of_a_non_member_or_after_the_investigation_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        stranger = factories.person()
        app = services.application_transition(application=wf.apply(household=h), action="accept", user=wf.caseworker)
        with pytest.raises(ValidationError, match="is not a member of the applying household"):
            services.income_record_set(application=app, user=wf.caseworker, person=stranger, income_type="wages",
                                       monthly_amount="100")
        services.asset_check_record(application=app, user=wf.caseworker, passed=True)
        app = services.application_transition(application=app, action="investigate", user=wf.caseworker)
        with pytest.raises(ValidationError, match="can be entered while application .* is accepted"):
            services.income_record_set(application=app, user=wf.caseworker, person=a, income_type="wages",
                                       monthly_amount="100")


def test_a_second_open_application_is_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, _ = household()
        first = wf.apply(household=h)
        with pytest.raises(ValidationError, match=rf"There is already an open dibao application \(#{first.pk}\)"):
            wf.apply(household=h)


def test_dates_in_the_future_or_before_the_previous_step_are_refused(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, _ = household()
        app = wf.apply(household=h, days=10)
        with pytest.raises(ValidationError, match="is in the future"):
            services.application_transition(application=app, action="accept", user=wf.caseworker, on=wf.ago(-1))
        with pytest.raises(ValidationError, match="is before the previous step"):
            services.application_transition(application=app, action="accept", user=wf.caseworker, on=wf.ago(11))


# --------------------------------------------------------------------------- objections


def test_an_open_objection_blocks_approval_and_an_upheld_one_forces_rejection(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = wf.check_and_publicise(wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")]))
        with pytest.raises(ValidationError, match="outside it"):
            services.objection_file(application=app, user=wf.caseworker, content="有车", filed_on=wf.ago(2))
        objection = services.objection_file(application=app, user=wf.caseworker, content="家中有车辆",
                                            filed_on=wf.ago(8))
        with pytest.raises(ValidationError, match="1 objection\\(s\\) to application .* are still open"):
            wf.approve(app)
        with pytest.raises(PermissionDenied):
            services.objection_resolve(objection=objection, user=wf.caseworker, upheld=True, resolution="核实")
        services.objection_resolve(objection=objection, user=wf.user("zhongshan-reviewer"), upheld=True,
                                   resolution="核实有车辆")
        with pytest.raises(ValidationError, match="was upheld; the application can only be rejected"):
            wf.approve(app)
        assert services.application_transition(application=app, action="reject", user=wf.approver,
                                               note="异议属实").status == "rejected"


def test_a_dismissed_objection_lets_approval_go_ahead(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, *_) = household()
        app = wf.check_and_publicise(wf.investigate(wf.apply(household=h), incomes=[(a, "wages", "300")]))
        objection = services.objection_file(application=app, user=wf.caseworker, content="匿名举报",
                                            filed_on=wf.ago(9))
        services.objection_resolve(objection=objection, user=wf.user("zhongshan-reviewer"), upheld=False,
                                   resolution="经核查不属实")
        assert wf.approve(app).status == "approved"
        assert Objection.objects.get(pk=objection.pk).status == "dismissed"


def test_income_records_set_is_all_or_nothing(in_bureau, workflow):
    with in_bureau("zhongshan"):
        wf = workflow("zhongshan")
        h, (a, b, c) = household()
        app = services.application_transition(application=wf.apply(household=h), action="accept", user=wf.caseworker)
        with pytest.raises(ValidationError) as err:
            services.income_records_set(application=app, user=wf.caseworker, records=[
                {"person": a, "income_type": "wages", "monthly_amount": "800"},
                {"person": b, "income_type": "wages", "monthly_amount": "x1"}])
        assert err.value.message_dict == {"records[1].monthly_amount": ["Income must be a number of yuan, not 'x1'."]}
        assert not IncomeRecord.objects.filter(application=app).exists()
        services.income_records_set(application=app, user=wf.caseworker, records=[
            {"person": a, "income_type": "wages", "monthly_amount": "800"},
            {"person": b, "income_type": "longevity_allowance", "monthly_amount": "100"}])
        # Recording a (person, type) again replaces it.
        services.income_records_set(application=app, user=wf.caseworker, records=[
            {"person": a, "income_type": "wages", "monthly_amount": "900"}])
        assert sorted(IncomeRecord.objects.filter(application=app).values_list("income_type", "monthly_amount")) == [
            ("longevity_allowance", D("100.00")), ("wages", D("900.00"))]
        services.asset_check_record(application=app, user=wf.caseworker, passed=True)
        app = services.application_transition(application=app, action="investigate", user=wf.caseworker)
        # The 高龄津贴 is not counted: 900 / 3 members.
        assert (app.total_income, app.per_capita_income) == (D("900.00"), D("300.00"))

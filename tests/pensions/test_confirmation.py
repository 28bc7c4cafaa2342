"""Changes wait for staff unless the bureau confirms automatically; confirmation applies them."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from apps.benefits.models import Entitlement
from apps.core.permissions import SYSTEM
from apps.pensions.models import EligibilityChange
from apps.pensions.services import eligibility_changes_confirm, eligibility_changes_reject, eligibility_run
from tests import factories

D = datetime.date


def test_bureau_setting_decides_by_default(in_bureau, bureau):
    xcity = bureau("xcity")
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 2, 2))
        eligibility_run(today=D(2024, 12, 1), user=SYSTEM)
        assert EligibilityChange.objects.get(person=person).status == "pending"
        assert not Entitlement.objects.filter(person=person).exists()
    xcity.auto_confirm_eligibility = True
    xcity.save()
    with in_bureau("xcity"):
        other = factories.person(birth_date=D(1941, 2, 2))
        run = eligibility_run(today=D(2024, 12, 2), user=SYSTEM)
        assert run.auto_confirm is True
        assert EligibilityChange.objects.get(person=other).status == "confirmed"
        assert Entitlement.objects.filter(person=other, programme_id="longevity").exists()


def test_confirmation_applies_with_history_of_who(in_bureau, run_engine, approver):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 2, 2))
        run_engine(D(2024, 12, 1), confirm=False)
        change = EligibilityChange.objects.get(person=person)
        user = approver("xcity")
        result = eligibility_changes_confirm(change_ids=[change.pk], user=user, note="checked")
        assert (result["confirmed"], result["created"]) == (1, 1)
        change.refresh_from_db()
        assert (change.status, change.decided_by, change.note) == ("confirmed", user, "checked")
        ent = change.created_entitlement
        assert (ent.variant, ent.start_period, ent.source) == ("80-99", D(2024, 12, 1), f"pensions.eligibility:{change.pk}")
        [history] = ent.history.all()
        assert (history.history_type, history.history_user) == ("+", user)
        with pytest.raises(ValidationError):
            eligibility_changes_confirm(change_ids=[change.pk], user=user)  # no longer pending: nothing twice
        assert Entitlement.objects.filter(person=person).count() == 1


def test_rejection_holds_on_later_runs(in_bureau, run_engine, approver):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 2, 2))
        run_engine(D(2024, 12, 1), confirm=False)
        change = EligibilityChange.objects.get(person=person)
        with pytest.raises(ValidationError):
            eligibility_changes_reject(change_ids=[change.pk], user=approver("xcity"), note="")
        eligibility_changes_reject(change_ids=[change.pk], user=approver("xcity"), note="lives abroad")
        assert run_engine(D(2025, 1, 3), confirm=False).summary["changes"] == 0
        assert EligibilityChange.objects.filter(person=person).count() == 1


def test_caseworker_cannot_confirm(in_bureau, run_engine):
    with in_bureau("xcity"):
        factories.person(birth_date=D(1940, 2, 2))
        run_engine(D(2024, 12, 1), confirm=False)
        caseworker = get_user_model().objects.get(username="xcity-caseworker1")
        with pytest.raises(PermissionDenied):
            eligibility_changes_confirm(change_ids=list(EligibilityChange.objects.values_list("pk", flat=True)),
                                        user=caseworker)
        assert not EligibilityChange.objects.filter(status="confirmed").exists()


def test_nightly_step_runs_the_engine(in_bureau):
    from apps.pensions.nightly import eligibility_step

    with in_bureau("zhongshan"):
        factories.person(birth_date=D(1930, 2, 2))
        summary = eligibility_step(today=D(2024, 12, 1))
        assert summary["changes"] == 1 and summary["by_programme"] == {"longevity": {"start": 1}}
        assert eligibility_step(today=D(2024, 12, 1))["changes"] == 0

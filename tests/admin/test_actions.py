"""Action menus offer only what the user may do (issue 11): 审批 to the approver, the run's approval to the
approver and not to finance, nothing at all to the auditor."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from apps.core.admin_site import bureau_admin_site

pytestmark = pytest.mark.django_db


def _actions(username, model_label):
    from django.apps import apps

    user = get_user_model().objects.get(username=username)
    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = bureau_admin_site._registry[apps.get_model(model_label)]
    return set(model_admin.get_actions(request))


def test_the_auditor_is_offered_no_action_anywhere(zs):
    user = get_user_model().objects.get(username="zhongshan-auditor")
    request = RequestFactory().get("/admin/")
    request.user = user
    offered = {
        model._meta.label: sorted(model_admin.get_actions(request))
        for model, model_admin in bureau_admin_site._registry.items()
        if model_admin.get_actions(request)
    }
    assert offered == {}


def test_application_steps_are_offered_to_those_who_may_take_them(zs):
    assert "do_approve" in _actions("zhongshan-approver", "assistance.Application")
    assert "do_reject" in _actions("zhongshan-approver", "assistance.Application")
    caseworker = _actions("zhongshan-caseworker1", "assistance.Application")
    assert {"do_accept", "do_investigate"} <= caseworker
    assert "do_approve" not in caseworker and "do_reject" not in caseworker


def test_payment_run_actions_follow_the_run_permissions(zs):
    assert "approve_runs" in _actions("zhongshan-approver", "disbursement.PaymentRun")
    finance = _actions("zhongshan-finance", "disbursement.PaymentRun")
    assert "approve_runs" not in finance
    assert {"export_csv", "import_returns", "create_supplementary_runs"} <= finance
    assert _actions("zhongshan-caseworker1", "disbursement.PaymentRun") == set()

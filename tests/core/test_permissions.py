"""One permission check: SYSTEM (a job) is allowed, None is nobody, a user needs the permission."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.core.permissions import SYSTEM, may, recorded_user, require_permission

pytestmark = pytest.mark.django_db


def test_system_may_do_anything_and_is_recorded_as_no_user():
    assert may(SYSTEM, "disbursement.approve_paymentrun")
    require_permission(SYSTEM, "benefits.add_standard", what="create standards")
    assert recorded_user(SYSTEM) is None


def test_none_and_anonymous_are_refused():
    assert not may(None, "benefits.add_standard")
    assert not may(AnonymousUser(), "benefits.add_standard")
    with pytest.raises(PermissionDenied, match="You may not create standards: that needs the permission "
                                               "benefits.add_standard."):
        require_permission(None, "benefits.add_standard", what="create standards")
    with pytest.raises(PermissionDenied, match="^You may not start payment runs.$"):
        require_permission(AnonymousUser(), "disbursement.start_paymentrun", message="You may not start payment runs.")


def test_a_user_needs_the_permission(in_bureau):
    users = get_user_model().objects
    with in_bureau("xcity"):
        caseworker = users.get(username="xcity-caseworker1")
        finance = users.get(username="xcity-finance")
        assert not may(caseworker, "disbursement.start_paymentrun")
        assert may(finance, "disbursement.start_paymentrun")
        assert recorded_user(finance) is finance
        with pytest.raises(PermissionDenied):
            require_permission(caseworker, "disbursement.start_paymentrun", what="start payment runs")

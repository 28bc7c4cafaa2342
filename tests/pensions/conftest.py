"""Fixtures of the pensions tests: run the engine in a bureau, read back what it did."""

import datetime

import pytest


@pytest.fixture
def run_engine():
    """run_engine(date(2024, 12, 1)) runs the eligibility engine with auto-confirmation."""
    from apps.core.permissions import SYSTEM
    from apps.pensions.services import eligibility_run

    def run(today: datetime.date, *, confirm: bool | None = True, user=SYSTEM):
        return eligibility_run(today=today, confirm=confirm, user=user)

    return run


@pytest.fixture
def entitlements():
    """entitlements(person, "longevity") -> that person's entitlements of the programme, oldest first."""
    from apps.benefits.models import Entitlement

    def get(person, programme):
        return list(Entitlement.objects.filter(person=person, programme_id=programme).order_by("start_period", "id"))

    return get


@pytest.fixture
def amount():
    """amount(entitlement, date(2024, 12, 1)) -> Decimal paid for that period (THE AMOUNT RULE)."""
    from apps.benefits.rules import first_of_month
    from apps.benefits.selectors import entitlement_amount

    def get(entitlement, period):
        entitlement.refresh_from_db()
        return entitlement_amount(entitlement=entitlement, period=first_of_month(period))

    return get


@pytest.fixture
def approver(db):
    """approver("zhongshan") -> the bureau's demo approver (holds pensions.confirm_eligibilitychange)."""
    from django.contrib.auth import get_user_model

    return lambda schema: get_user_model().objects.get(username=f"{schema}-approver")

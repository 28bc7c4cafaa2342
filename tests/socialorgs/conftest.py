"""Fixtures of the social-organisation tests: organisations written straight to the tables."""

import datetime
import itertools

import pytest

_codes = itertools.count(1)


@pytest.fixture
def make_org():
    """make_org(town, established_on=date(2020, 1, 1), org_type="social_group") -> a live organisation of 中山
    with a valid credit code (area 442000)."""
    from apps.socialorgs.models import SocialOrganisation
    from apps.socialorgs.rules import make_credit_code

    def make(town, *, established_on=datetime.date(2020, 1, 1), org_type="social_group", name=None, **fields):
        n = next(_codes)
        code = make_credit_code(org_type=org_type, area_code="442000", organisation_code=f"TT{n:07d}")
        return SocialOrganisation.objects.create(
            name=name or f"测试协会{n}",
            credit_code=code,
            org_type=org_type,
            town=town,
            established_on=established_on,
            representative_name="张三",
            representative_id_number="442000198001010033",
            **fields,
        )

    return make


@pytest.fixture
def user_of():
    """user_of("zhongshan", "approver") -> the bureau's demo user of that role."""
    from django.contrib.auth import get_user_model

    return lambda schema, role: get_user_model().objects.get(username=f"{schema}-{role}")

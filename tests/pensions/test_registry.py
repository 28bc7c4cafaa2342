"""Care institutions and meal sites: registries with totals, and their bad input."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.pensions.models import MealSite
from apps.pensions.services import meal_site_create, meal_site_update
from apps.people.models import CareInstitution
from apps.people.services import care_institution_create
from tests import factories

D = datetime.date


def test_nursing_beds_above_beds_is_refused(in_bureau):
    with in_bureau("zhongshan"), translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            care_institution_create(name="小榄镇敬老院", ownership="public", town=factories.town(), beds=80,
                                    nursing_beds=81, star_rating=3)
        assert exc.value.message_dict == {"nursing_beds": [
            "Nursing beds (81) cannot be more than the institution's beds (80)."]}
        with pytest.raises(ValidationError) as exc:
            care_institution_create(name="小榄镇敬老院", ownership="public", town=factories.town(), beds=80,
                                    nursing_beds=10, star_rating=6)
        assert "star_rating" in exc.value.message_dict
        assert not CareInstitution.objects.filter(name="小榄镇敬老院").exists()


def test_negative_meals_are_refused(in_bureau):
    with in_bureau("zhongshan"), translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            meal_site_create(name="东区长者饭堂", town=factories.town(), meals_per_month=-5)
        assert exc.value.message_dict == {"meals_per_month": ["Meals served per month cannot be negative (-5)."]}
        site = meal_site_create(name="东区长者饭堂", town=factories.town(), meals_per_month=900, star_rating=4)
        with pytest.raises(ValidationError):
            meal_site_update(site=site, meals_per_month=-1)
        site.refresh_from_db()
        assert site.meals_per_month == 900
        assert MealSite.objects.filter(name="东区长者饭堂").count() == 1

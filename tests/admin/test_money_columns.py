"""Money in changelists reads ¥1,234.56, right-aligned, on the bureau's admin and the province's (issue 11).

The sweep (test_admin_sweep) checks every changelist of every role; these pin the rule on two lists whose
rows the bootstrap writes (the bureau's standards, the province's minimums)."""

import re

import pytest
from django.contrib import admin
from django.db import models

from apps.benefits.models import Standard
from apps.core.admin_money import is_money_field
from tenants.models import Bureau, ProvincialMinimum
from tests.admin.inspect import unformatted_amounts

pytestmark = pytest.mark.django_db

MONEY = re.compile(r'<td class="field-money_amount"><span class="money">¥\d{1,3}(,\d{3})*\.\d{2}</span></td>')


def test_which_decimals_are_money():
    assert is_money_field(Standard._meta.get_field("amount"))
    assert is_money_field(ProvincialMinimum._meta.get_field("amount"))
    # Multipliers and shares of a standard are two-place decimals, not yuan.
    assert not is_money_field(Bureau._meta.get_field("tekun_multiplier"))
    assert not is_money_field(Bureau._meta.get_field("classified_share"))
    assert not is_money_field(models.DecimalField(name="scale", max_digits=12, decimal_places=6))


def test_a_bureau_list_shows_amounts_as_money(login_as, in_bureau):
    with in_bureau("zhongshan"):
        assert Standard.objects.exists()
    html = login_as("zhongshan", "zhongshan-admin").get("/admin/benefits/standard/").content.decode()
    assert MONEY.search(html), "no ¥ amount in the standards' list"
    assert 'th[class*="column-money_"]' in html  # the stylesheet aligning them right
    assert unformatted_amounts(html, Standard) == set()


def test_the_province_list_shows_amounts_as_money(login_as):
    assert ProvincialMinimum.objects.exists()
    assert isinstance(admin.site._registry[ProvincialMinimum], admin.ModelAdmin)
    html = login_as(None, "province-admin").get("/admin/tenants/provincialminimum/").content.decode()
    assert MONEY.search(html), "no ¥ amount in the provincial minimums' list"
    assert unformatted_amounts(html, ProvincialMinimum) == set()
    # The bureaus' list keeps its multipliers as numbers.
    bureaus = login_as(None, "province-admin").get("/admin/tenants/bureau/").content.decode()
    assert '<td class="field-tekun_multiplier">' in bureaus
    assert unformatted_amounts(bureaus, Bureau) == set()

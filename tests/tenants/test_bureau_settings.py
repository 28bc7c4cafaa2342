"""A bureau administrator edits their own bureau's rule settings on the bureau host, and no other's."""

from decimal import Decimal

import pytest

from tenants.models import Bureau

pytestmark = pytest.mark.django_db


def _form(bureau, **changes):
    data = {
        "tekun_multiplier": bureau.tekun_multiplier, "classified_share": bureau.classified_share,
        "phaseout_months": bureau.phaseout_months, "review_months_stable": bureau.review_months_stable,
        "review_months_other": bureau.review_months_other, "review_months_marginal": bureau.review_months_marginal,
        "temporary_cap_multiple": bureau.temporary_cap_multiple,
        "marginal_income_multiple": bureau.marginal_income_multiple,
        "annual_report_deadline": bureau.annual_report_deadline,
        "abnormal_list_months": bureau.abnormal_list_months, "settings_notes": bureau.settings_notes,
        "password_max_age_days": bureau.password_max_age_days,
    }
    data.update(changes)
    return data


def test_bureau_admin_changes_own_settings(login_as):
    haifeng = Bureau.objects.get(schema_name="haifeng")
    client = login_as("haifeng", "haifeng-admin")
    url = f"/admin/tenants/bureausettings/{haifeng.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form(haifeng, phaseout_months=3))
    assert response.status_code == 302
    haifeng.refresh_from_db()
    assert haifeng.phaseout_months == 3


def test_bureau_admin_sets_the_abnormal_list_period(login_as):
    haifeng = Bureau.objects.get(schema_name="haifeng")
    client = login_as("haifeng", "haifeng-admin")
    url = f"/admin/tenants/bureausettings/{haifeng.pk}/change/"
    assert 'name="abnormal_list_months"' in client.get(url).content.decode()
    assert client.post(url, _form(haifeng, abnormal_list_months=36)).status_code == 302
    haifeng.refresh_from_db()
    assert haifeng.abnormal_list_months == 36
    response = client.post(url, _form(haifeng, abnormal_list_months=0))
    assert set(response.context["adminform"].form.errors) == {"abnormal_list_months"}


def test_bad_setting_is_refused_with_the_field_named(login_as):
    haifeng = Bureau.objects.get(schema_name="haifeng")
    client = login_as("haifeng", "haifeng-admin")
    response = client.post(f"/admin/tenants/bureausettings/{haifeng.pk}/change/",
                           _form(haifeng, annual_report_deadline="13-40", tekun_multiplier="0.5"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"annual_report_deadline", "tekun_multiplier"}
    haifeng.refresh_from_db()
    assert haifeng.tekun_multiplier == Decimal("1.60") and haifeng.annual_report_deadline == "05-31"


def test_another_bureaus_settings_are_not_found(login_as):
    guangzhou = Bureau.objects.get(schema_name="guangzhou")
    client = login_as("haifeng", "haifeng-admin")
    assert client.get(f"/admin/tenants/bureausettings/{guangzhou.pk}/change/").status_code in (302, 404)
    listing = client.get("/admin/tenants/bureausettings/").content.decode()
    assert "海丰县民政局" in listing and "广州市民政局" not in listing


def test_only_administrators_see_settings(login_as):
    haifeng = Bureau.objects.get(schema_name="haifeng")
    for username in ("haifeng-caseworker1", "haifeng-approver", "haifeng-auditor"):
        client = login_as("haifeng", username)
        assert client.get(f"/admin/tenants/bureausettings/{haifeng.pk}/change/").status_code == 403, username

"""Password rules fit for a government system: 10+ characters of 3 of 4 kinds, not like the username,
not common, not one of the last five (issue 10, defect 8)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

pytestmark = pytest.mark.django_db


def _refusals(password, user):
    with translation.override("en"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
    return []


@pytest.fixture
def approver(in_bureau):
    with in_bureau("zhongshan"):
        yield get_user_model().objects.get(username="zhongshan-approver")


def test_weak_passwords_are_refused_with_specific_messages(approver):
    assert _refusals("Ab1!xyz", approver) == [
        "This password is too short. It must contain at least 10 characters."]
    assert _refusals("abcdefghijkl", approver) == [
        "This password uses 1 of the 4 kinds of character; use at least 3 of: lower case letters, upper case "
        "letters, digits and symbols."]
    assert _refusals("riverbank-lantern", approver) == [
        "This password uses 2 of the 4 kinds of character; use at least 3 of: lower case letters, upper case "
        "letters, digits and symbols."]
    assert _refusals("Zhongshan-Approver1", approver) == ["The password is too similar to the username."]
    assert _refusals("Password123", approver) == ["This password is too common."]
    assert _refusals("Qu4rtz-Meadow", approver) == []


def test_the_last_five_passwords_are_refused(approver):
    passwords = [f"Qu4rtz-Meadow-{n}" for n in range(6)]
    for password in passwords:
        assert _refusals(password, approver) == []
        approver.set_password(password)
        approver.save()
    assert _refusals(passwords[-1], approver) == [
        "You used this password before; choose one different from your last 5 passwords."]
    assert _refusals(passwords[1], approver) == [
        "You used this password before; choose one different from your last 5 passwords."]
    # The sixth from last has been forgotten.
    assert _refusals(passwords[0], approver) == []


def test_the_admin_password_change_applies_the_rules(approver, login_as):
    client = login_as("zhongshan", "zhongshan-approver")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/admin/password_change/", {
        "old_password": "civaffairs-demo", "new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"})
    assert response.status_code == 200
    assert "uses 1 of the 4 kinds of character" in response.content.decode()

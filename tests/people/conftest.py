"""People-registry fixtures: towns and users of 中山 (caseworker1 = first town, caseworker2 = second)."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from apps.core.idcard import make_id_number

PASSWORD = "civaffairs-demo"


@pytest.fixture
def id_number():
    """id_number(seq, birth=..., gender=...) -> a valid 中山 number (order codes below the synthetic range)."""

    def make(seq: int, birth: datetime.date = datetime.date(1975, 6, 1), gender: str = "M", area: str = "442000"):
        return make_id_number(area, birth, seq, gender)

    return make


@pytest.fixture
def person_in(id_number):
    """person_in(town, seq, **fields) -> a person created through the service."""
    from apps.people.services import person_create

    def make(town, seq, **fields):
        number = fields.pop("id_number", None) or id_number(seq)
        defaults = {"name": f"测试{seq}", "hukou_class": "urban", "town": town}
        defaults.update(fields)
        return person_create(id_number=number, **defaults)

    return make


@pytest.fixture
def viewer_without_full_ids(in_bureau):
    """A 中山 user who may view people (and change none) but not see whole ID numbers or accounts."""
    with in_bureau("zhongshan"):
        user = get_user_model().objects.create_user("zs-plain-viewer", password=PASSWORD, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(
            content_type__app_label="people", codename__in=["view_person", "view_household", "view_householdmember"]))
    return user


@pytest.fixture
def api(login_as):
    """api(schema, username) -> a session-authenticated client with JSON helpers."""

    class Api:
        def __init__(self, client):
            self.client = client

        def get(self, url, **params):
            return self.client.get(url, params)

        def post(self, url, data):
            return self.client.post(url, json.dumps(data), content_type="application/json")

        def patch(self, url, data):
            return self.client.patch(url, json.dumps(data), content_type="application/json")

        def put(self, url, data):
            return self.client.put(url, json.dumps(data), content_type="application/json")

        def delete(self, url):
            return self.client.delete(url)

    def make(schema, username):
        client = login_as(schema, username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return Api(client)

    return make

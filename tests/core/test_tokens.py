"""API tokens expire (8 hours from issue by default) and die on logout, password change, deactivation and
lock-out; the API docs and schema are for logged-in users only (issue 10, defect 8)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.core.models import PasswordRecord
from tenants.models import Bureau

pytestmark = pytest.mark.django_db

PASSWORD = "civaffairs-demo"


@pytest.fixture
def token_client(client_for):
    """token_client("zhongshan-approver") -> (client on 中山's host, token key) from the token endpoint."""

    def make(username):
        client = client_for("zhongshan")
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.content
        return client, response.json()["token"]

    return make


def _get(client, key, url="/api/v1/persons/"):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_expires_eight_hours_after_issue(token_client, in_bureau):
    client, key = token_client("zhongshan-approver")
    assert _get(client, key).status_code == 200
    with in_bureau("zhongshan"):
        Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=7, minutes=59))
    assert _get(client, key).status_code == 200
    with in_bureau("zhongshan"):
        Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=8, seconds=1))
    response = _get(client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired; ask for a new one."
    # Asking again gives a new token, not the dead one.
    _client, new_key = token_client("zhongshan-approver")
    assert new_key != key and _get(client, new_key).status_code == 200


def test_logout_ends_the_token(token_client):
    client, key = token_client("zhongshan-approver")
    assert client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert _get(client, key).status_code == 401
    assert client.post("/api/v1/auth/logout/").status_code == 401  # nobody to log out


def test_a_password_change_ends_the_token(token_client, in_bureau):
    client, key = token_client("zhongshan-approver")
    with in_bureau("zhongshan"):
        user = get_user_model().objects.get(username="zhongshan-approver")
        user.set_password("Nov-2026-approver!")
        user.save()
    assert _get(client, key).status_code == 401


def test_deactivation_ends_the_token(token_client, in_bureau):
    client, key = token_client("zhongshan-approver")
    with in_bureau("zhongshan"):
        get_user_model().objects.filter(username="zhongshan-approver").update(is_active=False)
    assert _get(client, key).status_code == 401


def test_an_unknown_token_is_refused_and_a_known_one_is_read_with_its_user_in_one_statement(token_client):
    client, key = token_client("zhongshan-approver")
    response = _get(client, "0" * 40)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, key)
    assert response.status_code == 200, response.content  # the approver's permissions came with the user
    reads = [q["sql"] for q in queries.captured_queries if '"authtoken_token"' in q["sql"]]
    assert len(reads) == 1 and '"auth_user"' in reads[0]


def test_a_lock_out_ends_the_token(token_client, client_for):
    _client, key = token_client("zhongshan-approver")
    attacker = client_for("zhongshan")
    codes = [attacker.post("/api/v1/auth/token/", {"username": "zhongshan-approver", "password": "guess"}).status_code
             for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    # The owner's token, used from another address, is dead too: the password may be known.
    assert client_for("zhongshan").get("/api/v1/persons/", HTTP_AUTHORIZATION=f"Token {key}",
                                       REMOTE_ADDR="10.0.0.9").status_code == 401


def test_an_expired_password_gets_no_token(client_for, in_bureau):
    client = client_for("zhongshan")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with in_bureau("zhongshan"):
        Bureau.objects.filter(schema_name="zhongshan").update(password_max_age_days=30)
        user = get_user_model().objects.get(username="zhongshan-approver")
        user.set_password("Nov-2026-approver!")
        user.save()
        # The password was set 31 days ago.
        PasswordRecord.objects.filter(user=user).update(set_at=timezone.now() - timedelta(days=31))
    response = client.post("/api/v1/auth/token/", {"username": "zhongshan-approver", "password": "Nov-2026-approver!"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your password has expired; change it in the admin before asking for a token."}
    # In the admin the only page left open is the password change.
    admin = client_for("zhongshan")
    with in_bureau("zhongshan"):
        admin.force_login(user)
    assert admin.get("/admin/people/person/")["Location"] == "/admin/password_change/"
    assert admin.get("/admin/password_change/").status_code == 200
    # 0 days: passwords never expire.
    Bureau.objects.filter(schema_name="zhongshan").update(password_max_age_days=0)
    assert client.post("/api/v1/auth/token/", {"username": "zhongshan-approver",
                                               "password": "Nov-2026-approver!"}).status_code == 200


@pytest.mark.parametrize("schema", ["zhongshan", "public"])
def test_api_docs_and_schema_are_behind_login(schema, client_for, login_as):
    anonymous = client_for(schema)
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/admin/login/?next=/api/docs/")
    assert anonymous.get("/api/schema/").status_code == 401
    user = "zhongshan-auditor" if schema == "zhongshan" else "overseer"
    client = login_as(schema, user)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200

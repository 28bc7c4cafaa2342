"""django-axes: five failed logins lock the username from that address, on the admin and the token endpoint."""

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "civaffairs-demo"


def test_admin_login_locks_after_five_failures(client_for):
    client = client_for("zhongshan")
    codes = [client.post("/admin/login/", {"username": "zhongshan-approver", "password": "wrong"}).status_code
             for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    # Locked: even the right password is refused now.
    assert client.post("/admin/login/", {"username": "zhongshan-approver", "password": PASSWORD}).status_code == 429
    # Another user, and the same user in another bureau, are not affected.
    assert client.post("/admin/login/", {"username": "zhongshan-finance", "password": PASSWORD}).status_code == 302
    other = client_for("nanshan")
    assert other.post("/admin/login/", {"username": "nanshan-approver", "password": PASSWORD}).status_code == 302


def test_token_endpoint_locks_after_five_failures(client_for):
    client = client_for("zhongshan")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    responses = [client.post("/api/v1/auth/token/", {"username": "zhongshan-reviewer", "password": "wrong"})
                 for _ in range(5)]
    assert [r.status_code for r in responses] == [400, 400, 400, 400, 429]
    assert responses[0].json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    locked = client.post("/api/v1/auth/token/", {"username": "zhongshan-reviewer", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many failed logins for this user from this address; try again later."}
    assert "token" not in locked.json()
    ok = client.post("/api/v1/auth/token/", {"username": "zhongshan-finance", "password": PASSWORD})
    assert ok.status_code == 200 and "token" in ok.json()

"""The benefits admin pages open for a bureau administrator."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_benefits_page_renders(login_as):
    admin = login_as("zhongshan", "zhongshan-admin")
    for name in ("programme", "standard", "entitlement", "grant"):
        assert admin.get(f"/admin/benefits/{name}/").status_code == 200, name
    assert admin.get("/admin/benefits/standard/add/").status_code == 200

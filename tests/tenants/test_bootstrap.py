"""The bureau registry bootstrap leaves behind: the province and the five bureaus from seeds/."""

import pytest

from tenants.models import Bureau, Domain

pytestmark = pytest.mark.django_db


def test_bootstrap_created_province_and_five_bureaus():
    schemas = set(Bureau.objects.values_list("schema_name", flat=True))
    assert schemas == {"public", "zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"}
    zhongshan = Bureau.objects.get(schema_name="zhongshan")
    assert (zhongshan.name_zh, zhongshan.area_code, zhongshan.level) == ("中山市民政局", "442000", "prefecture_city")
    assert str(zhongshan.tekun_multiplier) == "1.60"
    xcity = Bureau.objects.get(schema_name="xcity")
    assert str(xcity.tekun_multiplier) == "1.30" and xcity.area_code == ""
    assert Domain.objects.get(domain="localhost").tenant.schema_name == "public"
    assert Domain.objects.get(domain="haifeng.localhost").tenant.schema_name == "haifeng"

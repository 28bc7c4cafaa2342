"""The demo caseload command: marked households and 特困 candidates through the real workflow, once."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.assistance.models import Application
from apps.benefits.models import Entitlement
from apps.demo.models import PopulationMarker

pytestmark = pytest.mark.django_db


def test_demo_caseload_runs_the_workflow_and_is_idempotent(in_bureau):
    call_command("generate_population", "--tenant", "xcity", "--persons", "3000", "-v", "0", stdout=io.StringIO(),
                 stderr=io.StringIO())
    with in_bureau("xcity"):
        households = PopulationMarker.objects.filter(group__in=["dibao", "dibao_marginal", "hardship_expense"]).count()
        tekun = PopulationMarker.objects.filter(group="tekun").count()
    assert households > 0 and tekun > 0
    out = io.StringIO()
    call_command("assistance_demo_caseload", "--tenant", "xcity", "--workers", "1", "-v", "0", stdout=out,
                 stderr=io.StringIO())
    assert '"refused": {}' in out.getvalue()
    with in_bureau("xcity"):
        assert Application.objects.count() == households + tekun
        assert set(Application.objects.values_list("status", flat=True)) <= {"approved", "rejected"}
        dibao = Entitlement.objects.filter(programme_id="dibao", status="active")
        assert dibao.count() == PopulationMarker.objects.filter(group="dibao").count()
        assert Entitlement.objects.filter(programme_id="tekun").count() == tekun
        assert Entitlement.objects.filter(programme_id="tekun_care").count() == tekun
        # Every approval was the approver's, after an investigation by someone else.
        approvals = Application.objects.filter(status="approved")
        assert set(approvals.values_list("decided_by__username", flat=True)) == {"xcity-approver"}
        assert not approvals.filter(investigated_by__username="xcity-approver").exists()
        before = (Application.objects.count(), Entitlement.objects.count())

    out = io.StringIO()
    call_command("assistance_demo_caseload", "--tenant", "xcity", "--workers", "1", "-v", "0", stdout=out)
    assert "0 applications decided" in out.getvalue()
    with in_bureau("xcity"):
        assert (Application.objects.count(), Entitlement.objects.count()) == before


def test_demo_caseload_refuses_bad_arguments():
    with pytest.raises(CommandError, match="no bureau 'atlantis'"):
        call_command("assistance_demo_caseload", "--tenant", "atlantis")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("assistance_demo_caseload", "--tenant", "xcity", "--as-of", "2025-02-30")

"""A recorded death reaches the disbursement through a Celery task sent by name: a real worker cancels
the unsent line of the month after the death."""

import datetime
import time

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from apps.benefits.models import Entitlement
from apps.burial import services
from apps.burial.models import DeathRecord
from apps.core.models import JobRun
from apps.disbursement.models import LineBasis, PaymentLine, PaymentLineEvent, PaymentRun
from apps.disbursement.services import payment_run_monthly
from apps.people.models import Person
from tests import factories

pytestmark = pytest.mark.integration
MAY = datetime.date(2025, 5, 1)


def test_the_worker_cancels_the_unsent_line_after_a_death(committed_db, celery_worker_process):
    with schema_context("nanshan"):
        person = factories.person(birth_date=datetime.date(1950, 1, 1))
        entitlement = factories.entitlement(programme="tekun", person=person, start_period=datetime.date(2025, 1, 1))
        run = payment_run_monthly(period=MAY)
        try:
            line = PaymentLine.objects.get(run=run, entitlement_id=entitlement.pk)
            assert line.status == "pending"
            admin = get_user_model().objects.get(username="nanshan-admin")
            services.death_record_create(
                user=admin, person=person, date_of_death=datetime.date(2025, 4, 3), today=datetime.date(2025, 4, 10)
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                line.refresh_from_db()
                if line.status == "cancelled":
                    break
                time.sleep(0.3)
            assert line.status == "cancelled"
            assert JobRun.objects.filter(job="disbursement.lines_cancel_ended", status="succeeded").exists()
            run.refresh_from_db()
            assert run.line_count == PaymentLine.objects.filter(run=run).exclude(status="cancelled").count()
        finally:
            ids = list(PaymentLine.objects.filter(run__period=MAY).values_list("id", flat=True))
            PaymentLineEvent.objects.filter(line_id__in=ids).delete()
            PaymentLine.objects.filter(id__in=ids).delete()
            PaymentRun.objects.filter(period=MAY).delete()
            LineBasis.objects.filter(period=MAY).delete()
            for model, pks in (
                (DeathRecord, list(DeathRecord.objects.filter(person=person).values_list("id", flat=True))),
                (Entitlement, [entitlement.pk]),
                (Person, [person.pk]),
            ):
                model.objects.filter(pk__in=pks).delete()
                model.history.filter(id__in=pks).delete()
            JobRun.objects.filter(job="disbursement.lines_cancel_ended").delete()

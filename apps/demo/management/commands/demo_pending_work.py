import json

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.commands import bureau_arg
from apps.demo.pending_work import pending_work_plant


class Command(BaseCommand):
    help = """Leave work waiting in a bureau for its workbench (apps.demo.pending_work): applications at every
step in each demo caseworker's town, publicity ending this week and one over without a decision,
reviews overdue and due within 30 days. Idempotent."""

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the bureau's schema, e.g. zhongshan")

    def handle(self, *args, tenant, **options):
        bureau = bureau_arg(tenant)
        with tenant_context(bureau):
            report = pending_work_plant(schema=tenant, today=timezone.localdate())
        self.stdout.write(f"{tenant}: work waiting " + json.dumps(report, ensure_ascii=False))

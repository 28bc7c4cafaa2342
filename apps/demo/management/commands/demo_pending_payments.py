from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg, month_arg
from apps.demo.pending_payments import demo_pending_payments


class Command(BaseCommand):
    help = (
        "Leave a bureau's paid month with work for finance and the approver (`make demo`, after "
        "demo_disbursement): lines held for missing accounts, a few accounts completed and corrected "
        "(maker-checker), and a supplementary (or off-cycle) run waiting for approval. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema name of the bureau")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")

    def handle(self, *args, tenant, period, **options):
        bureau_arg(tenant)
        day = month_arg(period)
        with schema_context(tenant):
            try:
                done = demo_pending_payments(schema=tenant, period=day)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        if done.get("again"):
            self.stdout.write(
                f"{tenant} {day:%Y-%m}: {done['kind']} run {done['run']} exists ({done['status']}); nothing changed"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant} {day:%Y-%m}: {done['kind']} run {done['run']} waits for approval "
                f"({done['lines']} lines); "
                + ", ".join(f"{k} {v}" for k, v in done.items() if k in ("held", "completed", "corrected", "grants"))
            )
        )

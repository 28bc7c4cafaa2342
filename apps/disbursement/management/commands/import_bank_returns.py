import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.disbursement.models import PaymentRun
from apps.disbursement.returns import BankReturnRejected, bank_return_import, return_file_run_id

from ._common import user_arg


class Command(BaseCommand):
    help = ("Import bank return files (回盘, CSV or XLSX) of a bureau: every *.csv / *.xlsx of a folder, or "
            "given files. A file is applied whole or rejected whole; a file imported before changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema name of the bureau")
        parser.add_argument("--folder", help="import every .csv and .xlsx file in this folder (sorted by name)")
        parser.add_argument("--file", action="append", default=[], help="a return file (repeatable)")
        parser.add_argument("--run", type=int, help="the run the files answer (default: from each file)")
        parser.add_argument("--user", help="username recorded as the importer (default: none, a system import)")

    def handle(self, *args, tenant, folder=None, file=(), run=None, user=None, **options):
        bureau_arg(tenant)
        paths = list(file)
        if folder:
            if not os.path.isdir(folder):
                raise CommandError(f"no folder {folder!r}")
            paths += sorted(os.path.join(folder, name) for name in os.listdir(folder)
                            if name.lower().endswith((".csv", ".xlsx")))
        if not paths:
            raise CommandError("give --folder or --file")
        rejected = 0
        with schema_context(tenant):
            importer = user_arg(user)
            with job_run(job="disbursement.import_bank_returns") as job:
                for path in paths:
                    rejected += not self._import(path, run, importer)
                job.detail = {"files": len(paths), "rejected": rejected}
        if rejected:
            raise CommandError(f"{rejected} of {len(paths)} files rejected")

    def _import(self, path: str, run_id: int | None, user) -> bool:
        # Read piece by piece from disk, as an upload is: a return of a million lines is never held whole.
        with open(path, "rb") as handle:
            return self._import_file(handle, os.path.basename(path), run_id, user)

    def _import_file(self, content, name: str, run_id: int | None, user) -> bool:
        run_id = run_id or return_file_run_id(content)
        run = PaymentRun.objects.filter(pk=run_id).first() if run_id else None
        if run is None:
            self.stderr.write(f"{name}: REJECTED: cannot tell which run it answers (give --run)")
            return False
        try:
            record = bank_return_import(run=run, content=content, file_name=name, user=user)
        except BankReturnRejected as exc:
            self.stderr.write(f"{name}: REJECTED whole, nothing applied ({len(exc.record.errors)} errors):")
            for error in exc.record.errors:
                self.stderr.write(f"  {error}")
            return False
        except ValidationError as exc:
            self.stderr.write(f"{name}: REJECTED: {' '.join(exc.messages)}")
            return False
        if getattr(record, "duplicate", False):
            self.stdout.write(f"{name}: already imported (import {record.pk}); nothing changed")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{name}: run {run.pk}: {record.paid_count} paid, {record.failed_count} failed, "
                f"{record.unchanged_count} already recorded"))
        return True

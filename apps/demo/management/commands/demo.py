import multiprocessing
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from apps.demo.bootstrap import demo_password
from tenants.selectors import bureau_list
from tenants.services import domain_suffix

# generate_population scales: "report" sizes 中山 and x市 as their reports (中山: 3,469 dibao
# households, 1,186 特困; x市: 1,010 new dibao households in 2024, 1,215 stopped); the others, and every
# bureau under "quick", get roughly 50,000 residents each (x市 about 20,000: its report's 一卡通 total
# needs a 低保 caseload three times 中山's share); "tiny" (tests, a smoke run) about a thousand.
DEMO_SCALES = {
    "report": {"zhongshan": "1", "guangzhou": "0.004", "haifeng": "0.1", "nanshan": "0.5", "xcity": "1"},
    "quick": {"zhongshan": "0.05", "guangzhou": "0.004", "haifeng": "0.1", "nanshan": "0.5", "xcity": "0.03"},
    "tiny": {"zhongshan": "0.001", "guangzhou": "0.00008", "haifeng": "0.002", "nanshan": "0.01", "xcity": "0.0016"},
}

# Residents per unit of scale (roughly), to build the largest bureaus first.
BUREAU_WEIGHT = {"zhongshan": 1_181_000, "guangzhou": 12_500_000, "haifeng": 500_000, "nanshan": 100_000,
                 "xcity": 670_000}


class Command(BaseCommand):
    help = "Set up the demo (migrations, bureaus, logins) and serve the sites, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up, print the URLs, and stop")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--scale", choices=sorted(DEMO_SCALES), default=os.environ.get("DEMO_SCALE", "report"),
                            help="population sizes (default: $DEMO_SCALE, else report: 中山 and x市 at scale 1)")
        parser.add_argument("--only", nargs="*", choices=sorted(DEMO_SCALES["report"]),
                            help="build the demo data of these bureaus only (all are bootstrapped)")
        parser.add_argument("--jobs", type=int, default=2,
                            help="bureaus built at once, each in its own process (default 2: two cores)")

    def handle(self, *args, no_serve=False, port=8000, scale="report", only=None, jobs=2, **options):
        if scale not in DEMO_SCALES:
            raise CommandError(f"DEMO_SCALE {scale!r} is not one of {', '.join(sorted(DEMO_SCALES))}")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        started = time.monotonic()
        self.stdout.write("== migrations")
        call_command("migrate_schemas", interactive=False, verbosity=0)
        self.stdout.write("== province and bureaus")
        call_command("bootstrap", stdout=self.stdout)
        todo = [(schema, size) for schema, size in DEMO_SCALES[scale].items() if only is None or schema in only]
        self._bureaus(todo, jobs)
        call_command("province_demo", stdout=self.stdout)  # reference rows, the planted duplicate, rollups
        self.stdout.write(self.style.SUCCESS(f"\nDemo ready in {time.monotonic() - started:.0f}s."))
        self._print_sites(port)
        if no_serve:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Press Ctrl-C to stop.\n")
        self._serve(port)

    def _bureaus(self, todo: list[tuple[str, str]], jobs: int) -> None:
        """Each bureau's data, `jobs` bureaus at a time in forked processes, the largest first.

        The bureaus share nothing but the public schema's registry (read only here), so their builds
        run side by side: one process's Python works while the other's SQL runs, on two cores.
        """
        if jobs == 1 or len(todo) == 1:
            for schema, size in todo:
                self._bureau(schema, size)
            return
        todo = sorted(todo, key=lambda item: -Decimal(item[1]) * BUREAU_WEIGHT.get(item[0], 1))
        connections.close_all()  # the children must not share the parent's sockets
        context = multiprocessing.get_context("fork")
        running: dict[str, multiprocessing.Process] = {}
        failed = []
        while todo or running:
            while todo and len(running) < jobs:
                schema, size = todo.pop(0)
                running[schema] = context.Process(target=self._bureau_process, args=(schema, size), name=schema)
                running[schema].start()
            time.sleep(0.5)
            for schema, process in list(running.items()):
                if process.exitcode is not None:
                    del running[schema]
                    if process.exitcode != 0:
                        failed.append(schema)
        if failed:
            raise CommandError(f"building {', '.join(failed)} failed (see above); rerun to finish: done work stays")

    def _bureau_process(self, schema: str, scale: str) -> None:
        connections.close_all()
        try:
            self._bureau(schema, scale)
        finally:
            connections.close_all()

    def _bureau(self, schema: str, scale: str) -> None:
        """A bureau's synthetic people, its report year lived month by month (caseload through the real
        workflow, reviews, stops, allowances, twelve paid runs), the months since, and this month paid.

        Every step is idempotent, so a second `make demo` only serves.
        """
        period = timezone.localdate().strftime("%Y-%m")
        steps = [
            ("generate_population", ["--tenant", schema, "--scale", scale, "--seed", "1"]),
            ("pensions_demo_registry", ["--tenant", schema]),
            ("socialorgs_demo", ["--tenant", schema]),
            ("demo_report_year", ["--tenant", schema]),
            ("pensions_demo", ["--tenant", schema, "--no-registry"]),
            ("burial_demo", ["--tenant", schema]),
            ("demo_disbursement", ["--tenant", schema, "--period", period]),
            ("demo_pending_payments", ["--tenant", schema, "--period", period]),
            ("demo_pending_work", ["--tenant", schema]),
        ]
        for command, args in steps:
            step_started = time.monotonic()
            self.stdout.write(f"== {schema}: {command} {' '.join(args[2:])}")
            call_command(command, *args, stdout=self.stdout)
            self.stdout.write(f"   ({time.monotonic() - step_started:.0f}s)")

    def _print_sites(self, port: int) -> None:
        suffix = domain_suffix()
        self.stdout.write(f"\nSites (every password is {demo_password()}):")
        self.stdout.write(f"  province           http://{suffix}:{port}/            (admin: /admin/, API: /api/docs/)")
        for bureau in bureau_list():
            self.stdout.write(f"  {bureau.name_zh:<14} http://{bureau.schema_name}.{suffix}:{port}/admin/")

    def _serve(self, port: int) -> None:
        """gunicorn (as in production, civaffairs/gunicorn_conf.py), a Celery worker and beat.

        Loopback only unless HOST says otherwise: the demo's logins share one published password.
        """
        python = sys.executable
        web_env = {**os.environ, "PORT": str(port)}
        processes = [
            subprocess.Popen([python, "-m", "celery", "-A", "civaffairs", "worker", "--loglevel=WARNING",
                              "--concurrency=2"]),
            subprocess.Popen([python, "-m", "celery", "-A", "civaffairs", "beat", "--loglevel=WARNING"]),
            subprocess.Popen([python, "-m", "gunicorn", "-c", str(settings.BASE_DIR / "civaffairs" / "gunicorn_conf.py"),
                              "civaffairs.wsgi"], env=web_env, cwd=settings.BASE_DIR),
        ]
        interrupted = False
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            interrupted = True  # the terminal's Ctrl-C reached the children too
        finally:
            for p in processes:
                if p.poll() is None and not interrupted:
                    p.send_signal(signal.SIGTERM)
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.terminate()
                    try:
                        p.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        p.kill()

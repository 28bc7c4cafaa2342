import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import demo_password, domain_suffix


class Command(BaseCommand):
    help = "Set up the demo (migrations, bureaus, logins) and serve the sites, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up, print the URLs, and stop")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve=False, port=8000, **options):
        started = time.monotonic()
        self.stdout.write("== migrations")
        call_command("migrate_schemas", interactive=False, verbosity=0)
        self.stdout.write("== province and bureaus")
        call_command("bootstrap", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\nDemo ready in {time.monotonic() - started:.0f}s."))
        self._print_sites(port)
        if no_serve:
            return
        self._serve(port)

    def _print_sites(self, port: int) -> None:
        from tenants.selectors import bureau_list

        suffix = domain_suffix()
        self.stdout.write(f"\nSites (every password is {demo_password()}):")
        self.stdout.write(f"  province           http://{suffix}:{port}/            (admin: /admin/, API: /api/docs/)")
        for bureau in bureau_list():
            self.stdout.write(f"  {bureau.name_zh:<14} http://{bureau.schema_name}.{suffix}:{port}/admin/")
        self.stdout.write("Press Ctrl-C to stop.\n")

    def _serve(self, port: int) -> None:
        python = sys.executable
        processes = [
            subprocess.Popen([python, "-m", "celery", "-A", "civaffairs", "worker", "--loglevel=WARNING",
                              "--concurrency=2"]),
            subprocess.Popen([python, "-m", "celery", "-A", "civaffairs", "beat", "--loglevel=WARNING"]),
            subprocess.Popen([python, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"]),
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

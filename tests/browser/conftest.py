"""Browser tests: Playwright driving Debian's `chromium` against a live server on the bureaus' own hosts.

The browser is the distribution's package, never a build Playwright downloads (`playwright install`
fetches from a host the test machines do not reach). When /usr/bin/chromium is missing the session
installs it with apt-get where it runs as root; elsewhere every browser test is skipped with the
command that would install it.

The live server is Django's LiveServerThread on a free port of 127.0.0.1; Chromium is told that every
*.localhost name is that address, so `http://zhongshan.localhost:<port>/admin/` reaches 中山's bureau
through the same tenant middleware as production. The server's threads open their own connections and
see committed data only. Every browser test is marked django_db (so that the session creates the test
database even when only browser tests run; the test's own thread works in a rolled-back transaction)
and plants what the server must see through `committed(fn)`, which runs fn in a thread of its own,
committed at once — the test removes it again the same way.

Fixtures:
- `browser`: one headless Chromium for all the browser tests (package scope: Playwright's event loop
  ends with them, the rest of the suite never runs beside it).
- `live_url(schema)`: "http://zhongshan.localhost:<port>" for a bureau, "http://localhost:<port>" for
  the province (schema None or "public").
- `committed(fn, *args, **kwargs)`: fn's result, run and committed in its own thread and connection.
- `page_as(schema, username)` / `page_as("caseworker1")`: a new browser page already logged in as
  that demo login (usernames as bootstrap creates them: "<schema>-caseworker1", "<schema>-admin",
  "<schema>-reviewer", ...; a bare role name means 中山's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
INSTALL_COMMAND = "apt-get install -y chromium"
DEFAULT_BUREAU = "zhongshan"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.django_db)


def _chromium_ensure() -> str | None:
    """None when /usr/bin/chromium is there (installing Debian's package when possible), else why not."""
    if CHROMIUM.exists():
        return None
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"Chromium is not installed at {CHROMIUM}; install it with `{INSTALL_COMMAND}` (as root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    attempt = subprocess.run(INSTALL_COMMAND.split(), env=env, capture_output=True, text=True)
    if attempt.returncode != 0:
        # A fresh machine may not have read the package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, text=True)
        attempt = subprocess.run(INSTALL_COMMAND.split(), env=env, capture_output=True, text=True)
    if attempt.returncode != 0 or not CHROMIUM.exists():
        tail = (attempt.stderr or attempt.stdout).strip().splitlines()[-3:]
        return f"`{INSTALL_COMMAND}` failed: {' / '.join(tail)}"
    return None


@pytest.fixture(scope="session")
def live_server_port(django_db_setup, django_db_blocker):
    """Django's threaded live server, serving the app's static files from the finders."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    with django_db_blocker.unblock():
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield thread.port
        thread.terminate()
        _wait_for_request_threads()
        # Django keeps its connections per context, and Playwright's sync API runs the tests in a
        # context of its own: the tests' connection is not this fixture's, and must be closed before
        # the session drops the test database.
        for wrapper in _TEST_CONNECTIONS:
            wrapper.close()


_TEST_CONNECTIONS: list = []


def _wait_for_request_threads(timeout: float = 10.0) -> None:
    """The server's request threads close their connections when their (keep-alive) socket ends; the
    test database can be dropped only after that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(
            t.daemon and t.name.startswith("Thread-") and "process_request_thread" in str(getattr(t, "_target", ""))
            for t in threading.enumerate()
        ):
            return
        time.sleep(0.1)


@pytest.fixture(scope="session")
def live_url(live_server_port):
    def make(schema: str | None = DEFAULT_BUREAU) -> str:
        host = "localhost" if schema in (None, "public") else f"{schema}.localhost"
        return f"http://{host}:{live_server_port}"

    return make


@pytest.fixture(scope="package")
def browser(live_server_port):
    """One headless Chromium for the browser tests; closed after the last of them, so that Playwright's
    event loop is gone before the rest of the suite runs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `.venv/bin/pip install -r requirements.txt`")
    reason = _chromium_ensure()
    if reason:
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop in this thread; Django would take every ORM call the
    # test makes afterwards for a call from async code. The test's own calls are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                # Every bureau host is the live server; Chromium resolves *.localhost to loopback
                # already, this only rules out ::1, where nothing listens.
                "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
                "--no-sandbox",  # root in a container has no user namespace for the sandbox
                "--disable-dev-shm-usage",
            ],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def committed():
    """committed(fn, ...) runs fn in a thread with its own connection, so what it writes is committed
    at once and the live server sees it (the test's own thread is inside a transaction rolled back at
    its end). Raises what fn raised."""
    from django.db import connections

    def run(fn, *args, **kwargs):
        outcome = {}

        def target():
            try:
                outcome["value"] = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed back to the test's thread
                outcome["error"] = exc
            finally:
                connections.close_all()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return run


def _session_cookie(schema: str | None, username: str) -> tuple[str, str]:
    """Log the user in the way Client.force_login does, inside their bureau's schema (sessions live there)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_tenants.utils import schema_context

    client = Client()
    with schema_context(schema if schema not in (None, "public") else "public"):
        client.force_login(get_user_model().objects.get(username=username))
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def page_as(browser, live_url, committed):
    """page_as("caseworker1") or page_as("zhongshan", "zhongshan-approver") -> a logged-in page.

    The page's default timeout is short: a screen that takes 10 s is a failure, not a wait.
    """
    contexts = []

    def make(schema_or_role: str, username: str | None = None, *, language: str = "zh-hans"):
        if username is None:
            schema, username = DEFAULT_BUREAU, f"{DEFAULT_BUREAU}-{schema_or_role.replace('_', '-')}"
        else:
            schema = schema_or_role
        name, value = committed(_session_cookie, schema, username)
        base = live_url(schema)
        context = browser.new_context(base_url=base, locale="zh-CN" if language.startswith("zh") else "en-US")
        context.add_cookies(
            [
                {"name": name, "value": value, "url": base},
                {"name": "django_language", "value": language, "url": base},
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    from django.db import connections

    if connections["default"] not in _TEST_CONNECTIONS:
        _TEST_CONNECTIONS.append(connections["default"])

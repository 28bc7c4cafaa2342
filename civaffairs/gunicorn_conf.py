"""gunicorn's settings for `make serve`, `make demo` and production: `gunicorn -c civaffairs/gunicorn_conf.py civaffairs.wsgi`.

HOST (default 127.0.0.1: only this machine; 0.0.0.0 only behind a firewall or a proxy), PORT (8000),
WEB_CONCURRENCY (worker processes; default 2 × cores + 1), WEB_TIMEOUT (seconds, default 120).
"""

import gc
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Sync workers: the ORM is blocking, and each worker keeps one database connection (CONN_MAX_AGE).
worker_class = "sync"
# An export or a returns upload of a large bureau runs for a while; the payment run itself is Celery's.
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
graceful_timeout = 30
# The master imports Django once and forks the workers from it: a recycled worker starts in
# milliseconds instead of spending a second and a half of a core importing the project again. No
# database connection is opened at import (Django connects on a request's first query), so none is
# shared across the fork.
preload_app = True
# Recycle workers now and then so a slow leak never grows without bound; jitter staggers the restarts.
max_requests = 10000
max_requests_jitter = 1000
# No access log: its request lines carry query strings (?search= with an ID number). Django's own
# request logging masks them; put a proxy's log in front if one is wanted.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Only the local proxy may tell us the client's scheme and address (X-Forwarded-*).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "civaffairs"
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): a second server
# on the machine (a demo beside production, two checkouts) would take it over. Signals suffice.
control_socket_disable = True


def pre_fork(server, worker):
    # The project's objects, loaded once in the master, never become garbage: frozen, no collection in
    # a worker walks them (nor writes to their pages, which stay shared with the master).
    gc.freeze()


def post_fork(server, worker):
    # A request allocates tens of thousands of objects; at the default threshold (700) the collector ran
    # many times a request. Measured in process: 5-15% of a list request's CPU at 1.18M residents.
    gc.set_threshold(20_000, 10, 10)

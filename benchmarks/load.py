"""Load on the served stack: `python -m benchmarks.load [--clients 10 50] [--seconds 60] [--repeat 3]`.

N concurrent clients for T seconds against gunicorn (never runserver) on 127.0.0.1, after `make demo`
(or `manage.py demo --no-serve`) has built the sites: a mix of persons searches in one bureau
(中山 by default), its entitlements and payment-runs lists, and the province's bureaus endpoint.
When nothing answers on the port, it starts `gunicorn -c civaffairs/gunicorn_conf.py` itself on the
current DATABASE_URL (waiting for /healthz to answer) and stops it afterwards.

Each client count is run `--repeat` times; reported per count: req/s and p95 as the median of the
runs with min and max, the errors, and the client's own share of the machine's CPU (the client shares
the cores with the server it measures). Also the CPU each request cost the server: its gunicorn
workers (when this benchmark started them) and the PostgreSQL backends serving the database, read
from /proc. That figure hardly moves with the machine's other load, so it says what the cores
could serve: `cores × 1000 / (CPU ms a request)` is the ceiling on requests a second. Then the targets: 0 errors, p95 < 300 ms and >= 80 req/s at
the largest count, and no collapse (the largest count's throughput at least the smallest's).

Two ways to load it. Closed loop (the default): every client sends its next request the moment the
last one answers, so at 50 clients the mean latency is 50 / throughput by Little's law: a p95 under
300 ms there needs about 170 req/s. Open loop (`--rate 80`): requests are due at a fixed rate
(Poisson arrivals) and served by the clients' pool, each timed from when it was due, so a queue
behind busy clients counts against the latency (no coordinated omission): "p95 at 80 req/s offered".
Both print their PASS / FAIL lines; the note says which was met.

Bounded: at most 200 clients and 600 seconds a run, and only ever 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "127.0.0.1"  # the only address this benchmark ever talks to
MAX_CLIENTS = 200
MAX_SECONDS = 600
PASSWORD = os.environ.get("DEMO_PASSWORD", "civaffairs-demo")
SEARCHES = ["王", "李", "张", "陈", "刘", "黄", "林", "何"]


def listening(port: int) -> bool:
    try:
        with socket.create_connection((ADDRESS, port), timeout=0.5):
            return True
    except OSError:
        return False


def request(conn: http.client.HTTPConnection, host: str, path: str, token: str | None = None,
            method: str = "GET", body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Host": host, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def token_for(port: int, host: str, username: str) -> str:
    conn = http.client.HTTPConnection(ADDRESS, port, timeout=30)
    try:
        status, body = request(conn, host, "/api/v1/auth/token/", method="POST",
                                body={"username": username, "password": PASSWORD})
    finally:
        conn.close()
    if status != 200:
        raise SystemExit(f"no token for {username} on {host} ({status}): has the demo been built? {body[:200]!r}")
    return json.loads(body)["token"]


def start_server(port: int, workers: int | None) -> subprocess.Popen:
    env = {**os.environ, "HOST": ADDRESS, "PORT": str(port), "LOG_LEVEL": "warning"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "civaffairs" / "gunicorn_conf.py"),
                             "civaffairs.wsgi"], cwd=ROOT, env=env)
    # The master binds the port before its workers have loaded the application: wait for an answer.
    deadline = time.monotonic() + 120
    while not healthy(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("gunicorn did not start")
        time.sleep(0.5)
    return proc


def healthy(port: int) -> bool:
    if not listening(port):
        return False
    conn = http.client.HTTPConnection(ADDRESS, port, timeout=10)
    try:
        # 503 is an answer too (no Celery worker running): the application is loaded.
        return request(conn, "localhost", "/healthz")[0] in (200, 503)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


class Client(threading.Thread):
    """Sends requests back to back, or (open loop) takes the time each is due from `due`."""

    def __init__(self, port: int, mix: list[tuple[str, str, str]], stop_at: float, seed: int,
                 due: queue.Queue | None = None):
        super().__init__(daemon=True)
        self.port, self.mix, self.stop_at, self.due = port, mix, stop_at, due
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: Counter = Counter()

    def run(self) -> None:
        conn = http.client.HTTPConnection(ADDRESS, self.port, timeout=30)
        while time.monotonic() < self.stop_at:
            started = time.perf_counter()
            if self.due is not None:
                try:
                    started = self.due.get(timeout=0.2)
                except queue.Empty:
                    continue
            host, path, token = self.rng.choice(self.mix)
            path = path.replace("{q}", urlencode({"search": self.rng.choice(SEARCHES)}))
            try:
                status, _ = request(conn, host, path, token)
            except (OSError, http.client.HTTPException) as exc:
                self.errors[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection(ADDRESS, self.port, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - started)
            if status != 200:
                self.errors[f"HTTP {status}"] += 1
        conn.close()


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (the first is field 3, the state); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU of a process so far (0 if it is gone); with `reaped`, that of its children
    that have exited and been waited for instead."""
    if (fields := _stat(pid)) is None:
        return 0.0
    if reaped:
        return (int(fields[13]) + int(fields[14])) / TICKS  # cutime, cstime (fields 16 and 17 of stat)
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def parent(pid: int) -> int | None:
    return int(fields[1]) if (fields := _stat(pid)) else None  # ppid (field 4 of stat)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class ServerCpu:
    """CPU spent by the web workers (a server this benchmark started) and the database backends.

    The backends are the connections to the benchmark's database, found in pg_stat_activity; the
    workers keep theirs open (CONN_MAX_AGE), so mostly the same processes are read before and after a
    run. Processes that ended during it are counted through their parents (gunicorn's master and
    PostgreSQL's postmaster), which reaped them.
    """

    def __init__(self, server: subprocess.Popen | None):
        self.server = server
        self.database = None
        try:
            import psycopg

            sys.path.insert(0, str(ROOT))
            import dj_database_url

            url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/civaffairs")
            params = dj_database_url.parse(url)
            self.database = psycopg.connect(host=params["HOST"] or None, port=params["PORT"] or None,
                                            user=params["USER"] or None, password=params["PASSWORD"] or None,
                                            dbname=params["NAME"], autocommit=True)
        except Exception as exc:  # the figure is extra: the benchmark runs without it
            print(f"(no database CPU figures: {exc})")

    def _backends(self) -> list[int]:
        if self.database is None:
            return []
        rows = self.database.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()").fetchall()
        return [pid for (pid,) in rows]

    def sample(self) -> tuple[dict[int, float], dict[int, float]]:
        web = {pid: cpu_seconds(pid) for pid in children(self.server.pid)} if self.server else {}
        if self.server:
            # gunicorn recycles a worker every max_requests (about every 3 minutes a worker at 300 req/s):
            # the CPU of one that exited during the run is in the master's count of its reaped children.
            web[-self.server.pid] = cpu_seconds(self.server.pid, reaped=True)
        backends = self._backends()
        database = {pid: cpu_seconds(pid) for pid in backends}
        if backends and (postmaster := parent(backends[0])):
            # A backend that ended during the run (a recycled worker's connection, a parallel query's
            # worker) is counted by the postmaster, which reaps it (so is autovacuum: the database's work too).
            database[-postmaster] = cpu_seconds(postmaster, reaped=True)
        return web, database

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        # A process that appeared during the run counts from zero. One that left is in its parent's count
        # of reaped children (a negative key) with its whole life: what it had spent before the run is not.
        gone = sum(cpu for pid, cpu in before.items() if pid > 0 and pid not in after)
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()) - gone


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def schedule(due: queue.Queue, rate: float, stop_at: float, seed: int) -> None:
    """Puts the perf_counter time each request is due, Poisson arrivals at `rate` a second."""
    rng = random.Random(seed)
    next_at = time.perf_counter()
    while time.monotonic() < stop_at:
        next_at += rng.expovariate(rate)
        pause = next_at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(next_at)


def one_run(port: int, mix: list, clients: int, seconds: float, server_cpu: ServerCpu | None = None,
            rate: float | None = None) -> dict:
    server_before = server_cpu.sample() if server_cpu else ({}, {})
    cpu_before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    stop_at = wall_before + seconds
    due = queue.Queue() if rate else None
    threads = [Client(port, mix, stop_at, seed, due) for seed in range(clients)]
    scheduler = [threading.Thread(target=schedule, args=(due, rate, stop_at, clients), daemon=True)] if due else []
    for thread in threads + scheduler:
        thread.start()
    for thread in threads + scheduler:
        thread.join(timeout=seconds + 60)
    wall = time.monotonic() - wall_before
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    latencies = [latency for thread in threads for latency in thread.latencies]
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    server_after = server_cpu.sample() if server_cpu else ({}, {})
    done = max(len(latencies), 1)
    return {"web_ms": ServerCpu.spent(server_before[0], server_after[0]) * 1000 / done,
            "db_ms": ServerCpu.spent(server_before[1], server_after[1]) * 1000 / done,
            "client_ms": cpu * 1000 / done,"requests": len(latencies), "rate": len(latencies) / wall,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "max": max(latencies, default=float("nan")) * 1000,
            "errors": sum((thread.errors for thread in threads), Counter()),
            "client_cpu": cpu / (wall * (os.cpu_count() or 1))}


def spread(values: list[float], unit: str, digits: int = 0) -> str:
    return (f"{statistics.median(values):.{digits}f} {unit} (min {min(values):.{digits}f}, "
            f"max {max(values):.{digits}f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--bureau", default="zhongshan")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY of a server this benchmark starts")
    parser.add_argument("--rate", type=float, help="open loop: requests due a second, served by the largest "
                                                  "--clients pool (after the closed-loop runs)")
    args = parser.parse_args()
    if not all(1 <= n <= MAX_CLIENTS for n in args.clients):
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat must be 1..10")
    if args.rate is not None and not 0 < args.rate <= 1000:
        parser.error("--rate must be in (0, 1000]")

    server = None if listening(args.port) else start_server(args.port, args.workers)
    server_cpu = ServerCpu(server)
    results: dict[int, list[dict]] = {}
    try:
        bureau_host, province_host = f"{args.bureau}.localhost", "localhost"
        bureau_token = token_for(args.port, bureau_host, f"{args.bureau}-admin")
        province_token = token_for(args.port, province_host, "overseer")
        mix = [
            (bureau_host, "/api/v1/persons/?{q}", bureau_token),
            (bureau_host, "/api/v1/persons/?{q}", bureau_token),
            (bureau_host, "/api/v1/entitlements/", bureau_token),
            (bureau_host, "/api/v1/payment-runs/", bureau_token),
            (province_host, "/api/v1/province/bureaus/", province_token),
        ]
        one_run(args.port, mix, min(args.clients), min(10.0, args.seconds))  # warm-up, not counted
        for _ in range(args.repeat):
            for clients in args.clients:
                results.setdefault(clients, []).append(one_run(args.port, mix, clients, args.seconds, server_cpu))
        open_runs = [one_run(args.port, mix, max(args.clients), args.seconds, server_cpu, args.rate)
                     for _ in range(args.repeat if args.rate else 0)]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    print(f"{'own gunicorn' if server else 'running server'} on {ADDRESS}:{args.port}, {args.seconds:.0f} s a run, "
          f"{args.repeat} runs per client count, load average now {os.getloadavg()[0]:.2f}")
    rows = [(f"{clients:>3} clients", runs) for clients, runs in results.items()]
    if open_runs:
        rows.append((f"{args.rate:.0f} req/s due, {max(args.clients)} clients (open loop)", open_runs))
    for label, runs in rows:
        errors = sum((run["errors"] for run in runs), Counter())
        print(f"{label}: {spread([r['rate'] for r in runs], 'req/s', 1)}; "
              f"p95 {spread([r['p95'] for r in runs], 'ms')}; p50 {spread([r['p50'] for r in runs], 'ms')}; "
              f"errors {sum(errors.values())}"
              + (f" ({', '.join(f'{k}: {v}' for k, v in errors.most_common())})" if errors else "")
              + f"; client CPU {statistics.median(r['client_cpu'] for r in runs):.0%} of the cores")
        web, db, client = (statistics.median(r[key] for r in runs) for key in ("web_ms", "db_ms", "client_ms"))
        print(f"     CPU a request: web {web:.1f} ms" + ("" if server else " (not measured: a server already running)")
              + f", database {db:.1f} ms, client {client:.1f} ms: ceiling on {os.cpu_count()} cores "
              f"{os.cpu_count() * 1000 / (web + db + client):.0f} req/s")
    most, least = max(results), min(results)
    rate = statistics.median(r["rate"] for r in results[most])
    p95 = statistics.median(r["p95"] for r in results[most])
    errors = sum(sum(r["errors"].values()) for _label, runs in rows for r in runs)
    checks = [(f"0 errors ({errors})", errors == 0),
              (f"closed loop: p95 < 300 ms at {most} clients ({p95:.0f} ms)", p95 < 300),
              (f">= 80 req/s at {most} clients ({rate:.1f})", rate >= 80)]
    if most != least:
        low = statistics.median(r["rate"] for r in results[least])
        checks.append((f"no collapse: {most} clients {rate:.1f} req/s >= {least} clients {low:.1f}", rate >= low))
    if open_runs:
        open_p95 = statistics.median(r["p95"] for r in open_runs)
        served = statistics.median(r["rate"] for r in open_runs)
        checks.append((f"open loop: p95 < 300 ms at {args.rate:.0f} req/s due ({open_p95:.0f} ms; "
                       f"{served:.1f} req/s served)", open_p95 < 300 and served >= 0.95 * args.rate))
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

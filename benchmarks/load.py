"""Load on the served stack: `python -m benchmarks.load [--clients 50] [--seconds 60] [--port 8000]`.

N concurrent clients for T seconds against gunicorn (never runserver) on 127.0.0.1, after `make demo`
(or `manage.py demo --no-serve`) has built the sites: a mix of persons searches in one bureau
(中山 by default), its entitlements and payment-runs lists, and the province's bureaus endpoint.
When nothing answers on the port, it starts `gunicorn -c civaffairs/gunicorn_conf.py` itself on the
current DATABASE_URL and stops it afterwards. Reports req/s, p50/p95/max, errors by kind, and the
client's own share of the machine's CPU (the client shares the cores with the server it measures).

Bounded: at most 200 clients and 600 seconds, and only ever 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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
    deadline = time.monotonic() + 60
    while not listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("gunicorn did not start")
        time.sleep(0.2)
    return proc


class Client(threading.Thread):
    def __init__(self, port: int, mix: list[tuple[str, str, str]], stop_at: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.mix, self.stop_at = port, mix, stop_at
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: Counter = Counter()

    def run(self) -> None:
        conn = http.client.HTTPConnection(ADDRESS, self.port, timeout=30)
        while time.monotonic() < self.stop_at:
            host, path, token = self.rng.choice(self.mix)
            path = path.replace("{q}", urlencode({"search": self.rng.choice(SEARCHES)}))
            started = time.perf_counter()
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


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--bureau", default="zhongshan")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY of a server this benchmark starts")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")

    server = None if listening(args.port) else start_server(args.port, args.workers)
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
        cpu_before, wall_before = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        stop_at = wall_before + args.seconds
        clients = [Client(args.port, mix, stop_at, seed) for seed in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.seconds + 60)
        wall = time.monotonic() - wall_before
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    latencies = [latency for client in clients for latency in client.latencies]
    errors = sum((client.errors for client in clients), Counter())
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    cores = os.cpu_count() or 1
    print(f"clients {args.clients}, {wall:.1f} s, {'own gunicorn' if server else 'running server'} on "
          f"{ADDRESS}:{args.port}")
    print(f"requests {len(latencies)}  {len(latencies) / wall:.1f} req/s  errors {sum(errors.values())}"
          + (f" ({', '.join(f'{k}: {v}' for k, v in errors.most_common())})" if errors else ""))
    if latencies:
        print(f"latency p50 {percentile(latencies, 50) * 1000:.0f} ms  p95 {percentile(latencies, 95) * 1000:.0f} ms  "
              f"max {max(latencies) * 1000:.0f} ms  mean {statistics.fmean(latencies) * 1000:.0f} ms")
    print(f"client CPU {cpu:.1f} s = {cpu / (wall * cores):.0%} of {cores} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())

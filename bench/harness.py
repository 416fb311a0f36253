"""What every benchmark needs: a production-configured site on 127.0.0.1, load, and a verdict.

A benchmark module in bench/ is named bench_<what>.py and has `main() -> list[Result]`; each
Result prints as `name: figure (target: ...) PASS/FAIL`. `make bench` runs them all (bench/run.py).

    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(database_url=database_url, redis_url=redis_url)
        prepare_site(env)
        with gunicorn(env, workers=4) as server, RssSampler(server.pid) as memory:
            load = run_wrk(server.url + "/", connections=32, duration=10)
        results = [check("home_rps", load.requests_per_second, "req/s", at_least=1000)]
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


# Verdicts -------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str
    passed: bool

    def line(self) -> str:
        figure = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.1f}"
        return f"{self.name}: {figure} {self.unit} (target: {self.target}) {'PASS' if self.passed else 'FAIL'}"


def check(name: str, value: float, unit: str, *, at_least: float | None = None, under: float | None = None) -> Result:
    """A Result against one bound, printed at once so a long run shows progress."""
    if (at_least is None) == (under is None):
        raise ValueError("Give exactly one of at_least and under.")
    if at_least is not None:
        result = Result(name, value, unit, f"at least {at_least:,g} {unit}", value >= at_least)
    else:
        result = Result(name, value, unit, f"under {under:,g} {unit}", value < under)
    print(result.line(), flush=True)
    return result


# Processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL for the whole process group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def wait_for_http(url: str, *, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The server exited with {process.returncode} before answering {url}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"No answer from {url} after {timeout}s")
        time.sleep(0.1)


# Databases and Redis ---------------------------------------------------------------------------


def _maintenance_connection(server_url: str):
    import psycopg2

    parts = urlsplit(server_url)
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


def create_database(name: str, *, server_url: str = DEFAULT_POSTGRES_URL) -> str:
    """Creates an empty PostgreSQL database; returns its DATABASE_URL."""
    from psycopg2 import sql

    connection = _maintenance_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_database(name: str, *, server_url: str = DEFAULT_POSTGRES_URL) -> None:
    from psycopg2 import sql

    connection = _maintenance_connection(server_url)
    with connection.cursor() as cursor:
        # FORCE: a gunicorn worker killed mid-request may still hold a session.
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


@contextmanager
def bench_database():
    """BENCH_DATABASE_URL if set (left as it is), else a new database dropped afterwards.

    The new one is <BENCH_DATABASE_PREFIX, default rally_bench>_<random> on BENCH_POSTGRES_URL's server.
    """
    if os.environ.get("BENCH_DATABASE_URL"):
        yield os.environ["BENCH_DATABASE_URL"]
        return
    server_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"{os.environ.get('BENCH_DATABASE_PREFIX', 'rally_bench')}_{secrets.token_hex(4)}"
    url = create_database(name, server_url=server_url)
    try:
        yield url
    finally:
        drop_database(name, server_url=server_url)


@contextmanager
def redis_server():
    """BENCH_REDIS_URL if set, else a private redis-server (no persistence) for this run."""
    if os.environ.get("BENCH_REDIS_URL"):
        yield os.environ["BENCH_REDIS_URL"]
        return
    import redis

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rally-bench-redis-") as directory:
        process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            stop_process(process)


# The site -------------------------------------------------------------------------------------


def production_env(*, database_url: str, redis_url: str = "", var_dir: str | None = None, **overrides) -> dict:
    """The environment of a production deployment, on loopback and without TLS.

    SECURE_SSL_REDIRECT is off only because nothing on 127.0.0.1 speaks TLS here.
    """
    var_dir = var_dir or tempfile.mkdtemp(prefix="rally-bench-var-")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "EMAIL_", "CELERY_")) and key not in {"DEBUG", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="off",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        DEFAULT_FROM_EMAIL="Rally <rally@example.org>",
        SECURE_SSL_REDIRECT="off",
        DATABASE_URL=database_url,
        RALLY_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = f"rally-bench-{secrets.token_hex(4)}"
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(env: dict, *args: str) -> str:
    """Runs a manage.py command; returns its output, raises with it on failure."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def prepare_site(env: dict, *, seed: bool = True) -> None:
    """What a deployment does before serving: migrate, collect static files, load the demo content."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    if seed:
        manage(env, "seed_demo", "--force")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid


# As the Procfile runs it; BENCH_WORKER_CLASS=gthread for gunicorn's own.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "config.gunicorn_workers.ThreadWorker")
# The web benchmarks' gunicorn: one process per CPU, four threads each. On two CPUs that gave the
# best latency (and throughput) of the shapes tried: with two processes per CPU the threads of
# four processes fought over two CPUs and over each process's GIL, and a signing POST's p99 was
# twice as long.
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", str(os.cpu_count() or 2)))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))


@contextmanager
def gunicorn(
    env: dict, *, workers: int = 4, threads: int = 4, extra_args: tuple[str, ...] = (), app: str = "config.wsgi"
):
    """`gunicorn config.wsgi` (or another `app`) as the Procfile runs it (threaded workers), on a
    free loopback port."""
    port = free_port()
    env = dict(env, SITE_URL=f"http://127.0.0.1:{port}")
    log_path = Path(env["RALLY_VAR_DIR"]) / f"gunicorn-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--config", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(workers), "--worker-class", WORKER_CLASS, "--threads", str(threads)]
            + ["--log-level", "warning", *extra_args],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_for_http(f"{server.url}/healthz", process=process)
        yield server
    finally:
        stop_process(process)


@contextmanager
def celery_worker(env: dict, *, concurrency: int = 1, nice: int = 0, timeout: float = 60):
    """`celery -A config worker` as the Procfile runs it, consuming the site's queue.

    `nice` lowers its priority: on a two-CPU machine that also runs the web server and the load,
    the worker then uses what the web processes leave, and catches up after a burst.
    """
    log_path = Path(env["RALLY_VAR_DIR"]) / f"celery-{secrets.token_hex(4)}.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
    command += [
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--hostname",
        f"bench-{secrets.token_hex(4)}@%h",
    ]
    # Gossip, mingle and heartbeats only talk to other workers.
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if nice:
        command = [shutil.which("nice") or "nice", "-n", str(nice), *command]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited:\n{log_path.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker was not ready after {timeout}s")
            time.sleep(0.1)
        yield process
    finally:
        stop_process(process, timeout=30)


def site_call(env: dict, function: str, **kwargs):
    """Calls bench.site_data.<function>(**kwargs) inside the site (Django set up with `env`), for
    test data and for checks that read the database; returns what it returns (JSON)."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.site_data", function, json.dumps(kwargs)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise RuntimeError(f"bench.site_data {function} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def sql_value(database_url: str, query: str, params: tuple = ()):
    """The first column of the first row of a query on the run's database (cheap enough to poll)."""
    import psycopg2

    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        dbname=parts.path.lstrip("/"),
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        connect_timeout=5,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            row = cursor.fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def wait_until(predicate, *, timeout: float, interval: float = 0.5):
    """Polls predicate until it returns something truthy; returns (that value, seconds waited),
    or (the last value, None) after timeout."""
    started = time.monotonic()
    while True:
        value = predicate()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            return value, None
        time.sleep(interval)


def get_json(url: str, *, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own loopback server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - as above
        return json.loads(response.read())


# Load and memory ------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    requests_per_second: float
    latency_ms: dict[int, float]  # percentile -> milliseconds (50, 75, 90, 99)
    errors: int  # socket errors and non-2xx/3xx responses
    output: str = field(repr=False)


_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m)$")


def _milliseconds(text: str) -> float:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> WrkResult:
    """Reads the summary of `wrk --latency`."""
    latency = {
        int(percentile): _milliseconds(value)
        for percentile, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    requests = int(re.search(r"^\s*(\d+) requests in", output, re.MULTILINE).group(1))
    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(count) for count in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return WrkResult(requests=requests, requests_per_second=rate, latency_ms=latency, errors=errors, output=output)


def run_wrk(url: str, *, connections: int = 32, threads: int = 2, duration: int = 10, script: str = "") -> WrkResult:
    """Debian's wrk against url; `script` is an optional Lua file (e.g. for POSTs)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk")
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if completed.returncode:
        raise RuntimeError(f"wrk failed:\n{completed.stdout}\n{completed.stderr}")
    return parse_wrk(completed.stdout)


def warm_up(url: str, *, requests: int = 20) -> None:
    """A few requests first, so that each worker's imports and caches are not what gets measured."""
    for _ in range(requests):
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
            response.read()


class CpuMeter:
    """CPU seconds the site spent over a span, by part: the web processes, the Celery worker, the
    run's PostgreSQL backends and its Redis (the load client measures its own).

    On a machine shared with other work, throughput and latency say as much about the neighbours
    as about the site; CPU per request is what the site itself costs, and two CPUs divided by it
    is what it could serve on an idle machine.
    """

    def __init__(self, *, web_pid: int, worker_pid: int | None = None, database_url: str = "", redis_url: str = ""):
        self.roots = {"web": web_pid, "worker": worker_pid}
        self.database = urlsplit(database_url).path.lstrip("/") if database_url else ""
        self.redis_port = urlsplit(redis_url).port if redis_url else None
        self.seconds: dict[str, float] = {}
        self._start: dict[tuple[str, int], float] = {}

    def _processes(self):
        for part, pid in self.roots.items():
            if pid is None:
                continue
            try:
                root = psutil.Process(pid)
                for process in [root, *root.children(recursive=True)]:
                    yield part, process
            except psutil.NoSuchProcess:
                continue
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or [])
            if self.database and command.startswith("postgres:") and f" {self.database} " in command:
                yield "postgres", process
            elif self.redis_port and "redis-server" in command and f"127.0.0.1:{self.redis_port}" in command.split():
                yield "redis", process

    def _sample(self) -> dict[tuple[str, int], float]:
        sample = {}
        for part, process in self._processes():
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            sample[(part, process.pid)] = times.user + times.system
        return sample

    def __enter__(self) -> CpuMeter:
        self._start = self._sample()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = {}
        for (part, pid), seconds in self._sample().items():
            used = seconds - self._start.get((part, pid), 0.0)
            self.seconds[part] = self.seconds.get(part, 0.0) + max(0.0, used)

    def per(self, count: int) -> str:
        """Milliseconds of CPU per unit of work, by part and in total."""
        if not count:
            return "no work done"
        parts = ", ".join(f"{part} {seconds * 1000 / count:.2f}" for part, seconds in sorted(self.seconds.items()))
        return f"{sum(self.seconds.values()) * 1000 / count:.2f} ms ({parts})"

    def total_ms_per(self, count: int) -> float:
        return sum(self.seconds.values()) * 1000 / count if count else float("nan")


class RssSampler:
    """Peak resident memory of a process and all its descendants, sampled in a thread.

    The sum of RSS counts pages shared between forked workers once per worker, so it overstates
    real use a little; it is the figure `ps` and most hosts' limits show.
    """

    def __init__(self, pid: int, *, interval: float = 0.2):
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self._processes = None
        self._listed_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        # Listing descendants reads every process on the machine: done once a second, not at
        # every sample, so the sampler does not take CPU from what it measures.
        now = time.monotonic()
        if self._processes is None or now - self._listed_at > 1.0:
            try:
                root = psutil.Process(self.pid)
                self._processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return 0
            self._listed_at = now
        total = 0
        for process in self._processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.sample())
            self._stop.wait(self.interval)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / (1024 * 1024)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

"""Outbox delivery: 20,000 campaign update emails to an SMTP sink on loopback, by two workers.

The site runs as in production (DEBUG off, PostgreSQL, Redis as broker): 20,000 supporters who
asked for campaign updates, and one update sent to them as staff send it (a mailing to everyone
who opted in to campaign updates, "send now"): a worker writes the outbox rows with
email_bulk_enqueue, one batch and one commit at a time, each batch handed to the workers as it
commits; two `celery -A config worker` processes (one pool process each) deliver them over SMTP to
an aiosmtpd server on 127.0.0.1, all on this machine's CPUs.

Targets: at least 500 emails per second end to end (from "send now" to the last message accepted
by the sink), every email delivered exactly once, and each worker's peak memory (main process and
its pool process) under 300 MB.
"""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.harness import (
    BASE_DIR,
    RssSampler,
    bench_database,
    check,
    free_port,
    prepare_site,
    production_env,
    redis_server,
    stop_process,
)

EMAILS = int(os.environ.get("BENCH_OUTBOX_EMAILS", "20000"))
WORKERS = 2
POOL = os.environ.get("BENCH_WORKER_POOL", "--pool prefork --concurrency 1").split()


class _CountingHandler:
    def __init__(self, accepted, first_at, last_at):
        self.received = Counter()
        self.accepted, self.first_at, self.last_at = accepted, first_at, last_at

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
        for recipient in envelope.rcpt_tos:
            self.received[recipient.lower()] += 1
        self.accepted.value += len(envelope.rcpt_tos)
        if not self.first_at.value:
            self.first_at.value = now
        self.last_at.value = now
        return "250 Message accepted for delivery"


def _run_sink(port: int, loop_name: str, accepted, first_at, last_at, ready, stop, results) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # aiosmtpd on uvloop, as an asyncio server is run in production: the stand-in for the mail
    # relay then takes about a quarter less of the two CPUs it shares with what is measured.
    loop = None
    if loop_name == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    handler = _CountingHandler(accepted, first_at, last_at)
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10, loop=loop)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.send(dict(handler.received))


class CountingSink:
    """An SMTP server that only counts what it accepts (per recipient), so that the sink itself
    costs as little CPU as a real relay's front end would.

    It runs in a process of its own: in a thread of the benchmark's process it waited for the
    interpreter lock behind the samplers, which held up every worker talking to it. Its CPU time
    is the process's (`cpu_seconds()`).
    """

    def __init__(self):
        import multiprocessing

        self.port = free_port()
        self._context = multiprocessing.get_context("fork")
        self._accepted = self._context.Value("q", 0, lock=False)
        self._first_at = self._context.Value("d", 0.0, lock=False)
        self._last_at = self._context.Value("d", 0.0, lock=False)
        self.received = Counter()
        self._process = None

    @property
    def total(self) -> int:
        return self._accepted.value

    @property
    def first_at(self) -> float | None:
        return self._first_at.value or None

    @property
    def last_at(self) -> float | None:
        return self._last_at.value or None

    @property
    def pid(self) -> int:
        return self._process.pid

    def __enter__(self):
        ready, self._stop = self._context.Event(), self._context.Event()
        self._results, child_end = self._context.Pipe(duplex=False)
        loop_name = os.environ.get("BENCH_SINK_LOOP", "uvloop")
        self._process = self._context.Process(
            target=_run_sink,
            args=(self.port, loop_name, self._accepted, self._first_at, self._last_at, ready, self._stop, child_end),
            daemon=True,
        )
        self._process.start()
        if not ready.wait(15):
            raise RuntimeError("The SMTP sink did not start")
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._results.poll(30):
            self.received = Counter(self._results.recv())
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def start_worker(env: dict, index: int, log_dir: Path) -> subprocess.Popen:
    log = (log_dir / f"worker-{index}.log").open("ab")
    with log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", *POOL]
            + ["--loglevel", "WARNING", "--hostname", f"bench-{index}@%h"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children (a worker and its pool process)."""
    import psutil

    process = psutil.Process(pid)
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


class PostgresCPU:
    """CPU time of the PostgreSQL sessions on one database, sampled while they live (a session
    closed before the end still counts with its last sample)."""

    def __init__(self, database: str, *, interval: float = 0.5):
        self.needle = f" {database} "
        self.interval = interval
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        import psutil

        # Only PostgreSQL's own processes are looked at closely (their command line names the
        # database); reading every process's command line twice a second cost the run CPU.
        for process in psutil.process_iter(["name"]):
            try:
                if process.info["name"] != "postgres":
                    continue
                if process.pid not in self.seen and self.needle not in " ".join(process.cmdline()):
                    continue
                times = process.cpu_times()
                self.seen[process.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    def __enter__(self):
        self.sample()
        self.baseline = self.seconds
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self.sample()


def django_python(env: dict, code: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise RuntimeError(f"Failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


SUPPORTERS = """
from accounts.models import EmailPreferences, User
users = [User(email=f"supporter{n}@example.org", first_name=f"Supporter{n}", password="!") for n in range(COUNT)]
User.objects.bulk_create(users, batch_size=2000)
EmailPreferences.objects.bulk_create(
    [EmailPreferences(user=user, campaign_updates=True) for user in User.objects.all()], batch_size=2000
)
"""

ENQUEUE = """
import time
from emails.mailings import mailing_send_now
from emails.models import Mailing
started = time.monotonic()
mailing = Mailing.objects.create(
    subject="The safe third country review: what changed this week",
    from_name="Rally",
    body="Hello {first_name},\\n\\nThree things happened this week.\\n\\nFirst, the review published its "
    "terms.\\n\\nSecond, a coalition of clinics filed evidence. Third, you can still "
    "[add your name]({action_link}).",
    audience=Mailing.Audience.CAMPAIGN_UPDATES,
)
mailing_send_now(mailing_id=mailing.pk)
print(time.monotonic() - started)
"""

STATUS = """
from django.db.models import Count
from emails.models import OutboxEmail
print(dict(OutboxEmail.objects.values_list("status").annotate(n=Count("pk")).order_by()))
"""


def main() -> list:
    print(f"   {EMAILS:,} update emails, {WORKERS} workers (1 pool process each), {os.cpu_count()} CPUs", flush=True)
    with bench_database() as database_url, redis_server() as redis_url, CountingSink() as sink:
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        )
        prepare_site(env, seed=False)
        django_python(env, SUPPORTERS.replace("COUNT", str(EMAILS)))
        log_dir = Path(env["RALLY_VAR_DIR"])
        workers = [start_worker(env, index, log_dir) for index in range(WORKERS)]
        samplers = [RssSampler(worker.pid).__enter__() for worker in workers]
        try:
            time.sleep(5)  # both workers connected and waiting
            own_cpu_before = cpu_seconds(sink.pid)
            # Starting a worker (imports, Django's setup) is not sending: count from here.
            worker_cpu_before = sum(cpu_seconds(worker.pid) for worker in workers)
            database_cpu = PostgresCPU(database_url.rsplit("/", 1)[-1]).__enter__()
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            django_python(env, ENQUEUE)
            deadline = time.monotonic() + 600
            while sink.total < EMAILS and time.monotonic() < deadline:
                if any(worker.poll() is not None for worker in workers):
                    raise RuntimeError(f"A worker died; see {log_dir}")
                time.sleep(0.05)
            finished = sink.last_at or time.monotonic()
            time.sleep(1)  # anything sent twice would arrive now
            worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - worker_cpu_before
            own_cpu = cpu_seconds(sink.pid) - own_cpu_before
            database_cpu.__exit__(None, None, None)
        finally:
            for sampler in samplers:
                sampler.__exit__(None, None, None)
            for worker in workers:
                stop_process(worker)
        statuses = django_python(env, STATUS).strip()
    elapsed = finished - started
    delivery_seconds = (sink.last_at - sink.first_at) if sink.first_at else float("inf")
    twice = sum(count - 1 for count in sink.received.values() if count > 1)
    print(
        f"   first to last message "
        f"{delivery_seconds:.1f}s ({sink.total / delivery_seconds:,.0f}/s); rows: {statuses}\n"
        f"   CPU per email: workers {1000 * worker_cpu / EMAILS:.2f} ms, sink {1000 * own_cpu / EMAILS:.2f} ms, "
        f"PostgreSQL {1000 * (database_cpu.seconds - database_cpu.baseline) / EMAILS:.2f} ms; "
        f"load average before the run {load_before:.1f} (other work on this machine slows the figure)",
        flush=True,
    )
    return [
        check("outbox_emails_per_second_end_to_end", sink.total / elapsed, "emails/s", at_least=500),
        check("outbox_emails_missing", EMAILS - len(sink.received), "emails", under=1),
        check("outbox_emails_sent_twice", twice, "emails", under=1),
        *[
            check(f"outbox_worker_{index}_peak_rss", sampler.peak_mb, "MB", under=300)
            for index, sampler in enumerate(samplers, 1)
        ],
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    sys.exit(0 if all(result.passed for result in main()) else 1)

"""Weekly digests: 100,000 supporters due at once, rendered and delivered by two workers.

The site runs as in production (DEBUG off, PostgreSQL, Redis as broker). 100,000 supporters chose a
weekly digest, each signed one of ten petitions this week, and a campaign went live: every one of
them has something to read. Half of them read French, and the campaign and petitions are written in
both languages: each digest is in its reader's language, its links at that language's address.
Beat's job (digests_schedule) runs for Monday 08:05 in Toronto; two
`celery -A config worker` processes (one pool process each) write the digests in pk-range batches
and deliver them over SMTP to an aiosmtpd server on 127.0.0.1. Then beat's job runs again for the
same period, and must send nothing.

Targets: every digest delivered within 150 seconds of the first beat run, exactly once; the second
run sends nothing; each worker's peak memory (main process and its pool process) under 400 MB.
"""

import os
import sys
import time
from pathlib import Path

from bench.bench_outbox import CountingSink, PostgresCPU, cpu_seconds, django_python, start_worker
from bench.harness import (
    BASE_DIR,
    RssSampler,
    bench_database,
    check,
    prepare_site,
    production_env,
    redis_server,
    stop_process,
)

SUPPORTERS = int(os.environ.get("BENCH_DIGEST_SUPPORTERS", "100000"))
WORKERS = 2
TARGET_SECONDS = 150

SETUP = """
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from accounts.models import EmailPreferences, User
from campaigns.models import Action, ActionCount, Campaign, Signature
NOW = datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("America/Toronto"))
campaign = Campaign.objects.create(
    slug="welcome", title_en="Welcome at the border", summary_en="Canada must stop turning people back.",
    title_fr="Accueillir à la frontière", summary_fr="Le Canada doit cesser de refouler les gens.",
    status="live", published_at=NOW - timedelta(days=2),
)
actions = [
    Action.objects.create(
        campaign=campaign, slug=f"petition-{n}", title_en=f"Petition {n}", title_fr=f"Pétition {n}",
        summary_en="Suspend the agreement.", summary_fr="Suspendre l'entente.",
        ask_en="We call on the Government of Canada to act.", ask_fr="Nous demandons au gouvernement du Canada d'agir.",
        target="The Minister", goal=50000, status="live",
    )
    for n in range(10)
]
for start in range(0, COUNT, 5000):
    users = User.objects.bulk_create(
        User(
            email=f"supporter{n}@example.org", first_name=f"Supporter{n}", password="!",
            last_activity_at=NOW - timedelta(days=3), language="fr" if n % 2 == 0 else "en",
        )
        for n in range(start, min(start + 5000, COUNT))
    )
    EmailPreferences.objects.bulk_create(EmailPreferences(user=user, digest_frequency="weekly") for user in users)
    Signature.objects.bulk_create(
        Signature(
            action=actions[user.pk % 10], user=user, first_name=user.first_name, last_name="Bench",
            email=user.email, email_normalised=user.email, country="CA", region="QC", opt_in=True,
            status="confirmed", confirmed_at=NOW - timedelta(days=user.pk % 6, hours=1),
        )
        for user in users
    )
ActionCount.objects.bulk_create(ActionCount(action=action, count=COUNT // 10) for action in actions)
"""

SCHEDULE = """
from datetime import datetime
from zoneinfo import ZoneInfo
from emails.digests import digests_schedule
print(digests_schedule(now=datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("America/Toronto"))))
"""

STATUS = """
from django.db.models import Count
from emails.models import DigestRun, OutboxEmail
print(dict(OutboxEmail.objects.values_list("status").annotate(n=Count("pk")).order_by()),
      dict(DigestRun.objects.values_list("outcome").annotate(n=Count("pk")).order_by()),
      "by language:", dict(OutboxEmail.objects.filter(category="digest").values_list("language")
                          .annotate(n=Count("pk")).order_by()))
"""


def main() -> list:
    print(
        f"   {SUPPORTERS:,} weekly digests, {WORKERS} workers (1 pool process each), {os.cpu_count()} CPUs", flush=True
    )
    with bench_database() as database_url, redis_server() as redis_url, CountingSink() as sink:
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        )
        prepare_site(env, seed=False)
        setup_started = time.monotonic()
        django_python(env, SETUP.replace("COUNT", str(SUPPORTERS)))
        print(f"   synthetic supporters written in {time.monotonic() - setup_started:.0f}s", flush=True)
        log_dir = Path(env["RALLY_VAR_DIR"])
        workers = [start_worker(env, index, log_dir) for index in range(WORKERS)]
        samplers = [RssSampler(worker.pid).__enter__() for worker in workers]
        try:
            time.sleep(5)  # both workers connected and waiting
            # Starting a worker (imports, Django's setup) is not sending: count from here.
            worker_cpu_before = sum(cpu_seconds(worker.pid) for worker in workers)
            own_cpu_before = cpu_seconds(sink.pid)
            database_cpu = PostgresCPU(database_url.rsplit("/", 1)[-1]).__enter__()
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            batches = int(django_python(env, SCHEDULE).split()[-1])
            deadline = time.monotonic() + 600
            while sink.total < SUPPORTERS and time.monotonic() < deadline:
                if any(worker.poll() is not None for worker in workers):
                    raise RuntimeError(f"A worker died; see {log_dir}")
                time.sleep(0.05)
            finished = sink.last_at or time.monotonic()
            worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - worker_cpu_before
            own_cpu = cpu_seconds(sink.pid) - own_cpu_before
            database_cpu.__exit__(None, None, None)
            delivered_first_run = sink.total
            second_batches = int(django_python(env, SCHEDULE).split()[-1])
            time.sleep(5)  # anything the second run (or a duplicate) sent would arrive now
            second_run_sent = sink.total - delivered_first_run
        finally:
            for sampler in samplers:
                sampler.__exit__(None, None, None)
            for worker in workers:
                stop_process(worker)
        statuses = django_python(env, STATUS).strip()
    elapsed = finished - started
    twice = sum(count - 1 for count in sink.received.values() if count > 1)
    print(
        f"   first run: {batches} batch tasks, {delivered_first_run:,} digests in {elapsed:.1f}s "
        f"({delivered_first_run / elapsed:,.0f}/s); second run: {second_batches} batch tasks; "
        f"rows: {statuses}\n"
        f"   CPU per digest: workers {1000 * worker_cpu / max(1, SUPPORTERS):.2f} ms, sink "
        f"{1000 * own_cpu / max(1, SUPPORTERS):.2f} ms, PostgreSQL "
        f"{1000 * (database_cpu.seconds - database_cpu.baseline) / max(1, SUPPORTERS):.2f} ms; load average before "
        f"the run {load_before:.1f} (other work on this machine slows the figure)",
        flush=True,
    )
    return [
        check("digests_all_delivered_seconds", elapsed, "s", under=TARGET_SECONDS),
        check("digests_missing", SUPPORTERS - len(sink.received), "digests", under=1),
        check("digests_sent_twice", twice, "digests", under=1),
        check("digests_second_run_sent", second_run_sent, "digests", under=1),
        *[
            check(f"digests_worker_{index}_peak_rss", sampler.peak_mb, "MB", under=400)
            for index, sampler in enumerate(samplers, 1)
        ],
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    sys.exit(0 if all(result.passed for result in main()) else 1)

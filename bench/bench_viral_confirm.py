"""One action goes viral: 64 supporters at a time confirm their signatures on it.

Pending signatures are made first (as anonymous signing leaves them); each supporter then opens
the link from their email (a page with one button, as mail scanners must not confirm anything) and
presses the button: a POST with the CSRF cookie and token from that page. Every confirmation
appends a count delta, and a real Celery worker (at a lower priority, as in bench_signing) folds
them into the action's count while the load runs.

Target: the confirming POST under 200 ms at the 99th percentile. Afterwards: one confirmed row per
successful confirmation, no duplicates, and the count shown by the API equal to the confirmed rows
once the counting delay has passed.
"""

import os
import secrets
import time

from bench.harness import (
    WEB_THREADS,
    WEB_WORKERS,
    CpuMeter,
    bench_database,
    celery_worker,
    check,
    get_json,
    gunicorn,
    prepare_site,
    production_env,
    redis_server,
    site_call,
    wait_until,
)
from bench.visitors import RequestFailed, Visitor, run_visitors

CONCURRENCY = 64
DURATION_SECONDS = 10
PENDING_SIGNATURES = 8000
WARM_UP_SIGNATURES = 400
ACTION_SLUG = "suspend-the-safe-third-country-agreement"  # the demo petition (campaigns.demo)
COUNT_DELAY_SECONDS = 5


def main() -> list:
    prefix = f"bench-viral-{secrets.token_hex(3)}-"
    print(
        f"   gunicorn {WEB_WORKERS} threaded workers x {WEB_THREADS} threads, 1 Celery worker (nice 10), "
        f"{CONCURRENCY} supporters confirming for "
        f"{DURATION_SECONDS}s, {os.cpu_count()} CPUs",
        flush=True,
    )
    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(database_url=database_url, redis_url=redis_url, COUNT_DELAY_SECONDS=COUNT_DELAY_SECONDS)
        prepare_site(env)
        links = site_call(env, "seed_pending", action_slug=ACTION_SLUG, count=PENDING_SIGNATURES, email_prefix=prefix)
        warm_up_links = site_call(
            env, "seed_pending", action_slug=ACTION_SLUG, count=WARM_UP_SIGNATURES, email_prefix=f"bench-warm-{prefix}"
        )

        def confirmer(links: list[str]):
            def confirm(visitor: Visitor, number: int) -> None:
                visitor.new_session()
                page = visitor.get(links[number], label="page")
                response = visitor.post(links[number], {}, label="confirm", csrf_from=page)
                if b"your signature counts" not in response.body:
                    raise RequestFailed("The page after confirming did not say the signature counts")

            return confirm

        with (
            celery_worker(env, nice=10) as worker,
            gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS) as server,
        ):
            # Every thread of every worker confirms a few first (its database connection, the templates).
            run_visitors(
                server.url,
                confirmer(warm_up_links),
                concurrency=CONCURRENCY,
                duration=3,
                max_scenarios=len(warm_up_links),
            )
            meter = CpuMeter(web_pid=server.pid, worker_pid=worker.pid, database_url=database_url, redis_url=redis_url)
            with meter:
                load = run_visitors(
                    server.url,
                    confirmer(links),
                    concurrency=CONCURRENCY,
                    duration=DURATION_SECONDS,
                    max_scenarios=len(links),
                )
            ended = time.monotonic()
            print(load.summary(), flush=True)
            print(f"   CPU per confirmation, its page included: {meter.per(load.stats['confirm'].count)}", flush=True)
            print(f"   {load.stats['confirm'].count / load.duration:.0f} confirmations per second", flush=True)
            if load.completed >= len(links):
                print(
                    f"   all {len(links)} pending signatures were confirmed before the time was up",
                    flush=True,
                )
            for error in load.errors[:5]:
                print(f"   error: {error}", flush=True)
            figures = site_call(env, "signature_figures", action_slug=ACTION_SLUG, email_prefix=prefix)
            print(f"   database: {figures}", flush=True)
            api = f"{server.url}/api/actions/{ACTION_SLUG}/"
            shown, _waited = wait_until(
                lambda: get_json(api)["count"] == figures["confirmed_on_action"], timeout=4 * COUNT_DELAY_SECONDS
            )
            shown_after = time.monotonic() - ended
            print(f"   the API showed the confirmed count {shown_after:.1f}s after the load ended", flush=True)

    confirmed = load.stats["confirm"]
    return [
        check("viral_confirm_p99_latency", confirmed.p99_ms, "ms", under=200),
        check("viral_failed_requests", sum(s.failures for s in load.stats.values()), "requests", under=1),
        check(
            "viral_confirmed_rows_minus_confirmations",
            abs(figures["by_status"].get("confirmed", 0) - confirmed.count),
            "rows",
            under=1,
        ),
        check("viral_duplicate_rows", figures["duplicates"], "rows", under=1),
        check("viral_shown_count_differs_from_confirmed_rows", 0 if shown else 1, "", under=1),
    ]


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

"""The action page under load: gunicorn with production settings, wrk at 32 connections.

Every request is a new visitor (wrk sends no cookies), so each gets the page every anonymous
visitor shares (campaigns.fastpath): no CSRF token or cookie of its own, the sign form being
checked by its Origin instead.

Targets: at least 1,500 requests per second with a 99th percentile under 50 ms on the 2-CPU
machines this project runs on, which also run wrk, and no failed request.
"""

import os

from bench.harness import (
    WEB_THREADS,
    WEB_WORKERS,
    CpuMeter,
    bench_database,
    check,
    gunicorn,
    prepare_site,
    production_env,
    redis_server,
    run_wrk,
    warm_up,
)

CONNECTIONS = 32
DURATION_SECONDS = 10
ACTION_SLUG = "suspend-the-safe-third-country-agreement"  # the demo petition (campaigns.demo)


def main() -> list:
    print(
        f"   gunicorn {WEB_WORKERS} threaded workers x {WEB_THREADS} threads, "
        f"wrk -c{CONNECTIONS} -d{DURATION_SECONDS}s, {os.cpu_count()} CPUs",
        flush=True,
    )
    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(database_url=database_url, redis_url=redis_url)
        prepare_site(env)
        with gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS) as server:
            url = f"{server.url}/act/{ACTION_SLUG}/"
            warm_up(url, requests=WEB_WORKERS * 10)
            with CpuMeter(web_pid=server.pid, database_url=database_url, redis_url=redis_url) as meter:
                load = run_wrk(url, connections=CONNECTIONS, duration=DURATION_SECONDS)
    print(f"   CPU per request: {meter.per(load.requests)}", flush=True)
    return [
        check("action_page_requests_per_second", load.requests_per_second, "req/s", at_least=1500),
        check("action_page_p99_latency", load.latency_ms[99], "ms", under=50),
        check("action_page_failed_requests", load.errors, "requests", under=1),
    ]


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

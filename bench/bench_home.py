"""The home page under load: gunicorn with production settings on PostgreSQL, wrk at 32 connections.

Targets: at least 1,000 requests per second and a 99th percentile under 50 ms, on the 2-CPU
machines this project runs on, which also run wrk, with 4 gunicorn workers of 4 threads each (the
Procfile's threaded worker class), and no failed request. At 32 connections, Little's law ties
the two: 1,000 req/s means 32 ms per request on average. Also the web processes' peak memory,
which bounds how many workers a small host can run (target: under 600 MB for four).
"""

import os

from bench.harness import (
    WEB_THREADS,
    WEB_WORKERS,
    CpuMeter,
    RssSampler,
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


def main() -> list:
    print(
        f"   gunicorn {WEB_WORKERS} threaded workers x {WEB_THREADS} threads, "
        f"wrk -c{CONNECTIONS} -d{DURATION_SECONDS}s, {os.cpu_count()} CPUs",
        flush=True,
    )
    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(database_url=database_url, redis_url=redis_url)
        prepare_site(env)
        with gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS) as server, RssSampler(server.pid) as memory:
            warm_up(server.url + "/", requests=WEB_WORKERS * 10)
            with CpuMeter(web_pid=server.pid, database_url=database_url, redis_url=redis_url) as meter:
                load = run_wrk(server.url + "/", connections=CONNECTIONS, duration=DURATION_SECONDS)
    print(f"   CPU per request: {meter.per(load.requests)}", flush=True)
    return [
        check("home_requests_per_second", load.requests_per_second, "req/s", at_least=1000),
        check("home_p99_latency", load.latency_ms[99], "ms", under=50),
        check("home_failed_requests", load.errors, "requests", under=1),
        check(f"home_web_peak_rss_{WEB_WORKERS}_workers", memory.peak_mb, "MB", under=600),
    ]


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

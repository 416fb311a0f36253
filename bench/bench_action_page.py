"""The action page under load: gunicorn with production settings, wrk at 32 connections.

Every request is a new visitor (wrk sends no cookies), so each gets the page every anonymous
visitor shares (campaigns.fastpath): no CSRF token or cookie of its own, the sign form being
checked by its Origin instead.

Targets: at least 1,500 requests per second with a 99th percentile under 50 ms on the 2-CPU
machines this project runs on, which also run wrk, and no failed request.

Then the page in French against English, at their own addresses (/fr/act/…, /en/act/…): short wrk
runs alternating between the two in the same server, so that whatever else the machine is doing
weighs on both alike. Target: French within 10 % of English (requests per second).
"""

import os
from dataclasses import dataclass, field

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
# The French/English comparison: this many alternating runs of each, each this long.
LANGUAGE_ROUNDS = 3
LANGUAGE_RUN_SECONDS = 4
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
            by_language = compare_languages(server.url)
    print(f"   CPU per request: {meter.per(load.requests)}", flush=True)
    english, french = by_language["en"], by_language["fr"]
    return [
        check("action_page_french_to_english_throughput", french.rps / english.rps, "x English", at_least=0.9),
        check("action_page_language_runs_failed_requests", english.errors + french.errors, "requests", under=1),
        check("action_page_requests_per_second", load.requests_per_second, "req/s", at_least=1500),
        check("action_page_p99_latency", load.latency_ms[99], "ms", under=50),
        check("action_page_failed_requests", load.errors, "requests", under=1),
    ]


@dataclass
class LanguageLoad:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p99_ms: list = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def compare_languages(server_url: str) -> dict[str, LanguageLoad]:
    """Alternating wrk runs on the page's English and French addresses (see the docstring)."""
    loads = {"en": LanguageLoad(), "fr": LanguageLoad()}
    for language in loads:
        warm_up(f"{server_url}/{language}/act/{ACTION_SLUG}/", requests=WEB_WORKERS * 10)
    for round_number in range(LANGUAGE_ROUNDS):
        # Each language goes first every other round: neither always runs on the other's heels.
        order = list(loads.items())
        for language, total in order if round_number % 2 == 0 else reversed(order):
            run = run_wrk(
                f"{server_url}/{language}/act/{ACTION_SLUG}/", connections=CONNECTIONS, duration=LANGUAGE_RUN_SECONDS
            )
            total.requests += run.requests
            total.seconds += run.requests / run.requests_per_second if run.requests_per_second else 0.0
            total.errors += run.errors
            total.p99_ms.append(run.latency_ms[99])
    english, french = loads["en"], loads["fr"]
    for language, total in loads.items():
        p99s = ", ".join(f"{p99:.0f}" for p99 in total.p99_ms)
        print(f"   /{language}/act/…: {total.rps:.0f} req/s, p99 per run {p99s} ms, {total.errors} errors", flush=True)
    print(
        f"   French / English: {french.rps / english.rps:.3f} x the requests per second (target: at least 0.9),"
        f" p99 {max(french.p99_ms):.0f} ms against {max(english.p99_ms):.0f} ms",
        flush=True,
    )
    return loads


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

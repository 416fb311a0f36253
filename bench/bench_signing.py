"""Signing under load: 32 supporters at a time each open the petition's page and post its form.

gunicorn with production settings on PostgreSQL and a private Redis (cache and broker), and a real
Celery worker running throughout, so every confirmation email is written to the outbox, handed to
the broker and sent (by Django's file transport under the run's var/mail/). The worker runs at a
lower priority: on two CPUs shared with the web processes and the load it takes what they leave,
and after the burst it catches up; the figures below say how long that took.

Each supporter is new (no cookies), reads the page, then posts its form as a browser does (with the
page's Origin, and a CSRF token if the page has one: the anonymous page is shared and has none), a
unique email address, and its own address in X-Forwarded-For behind one trusted proxy
(TRUSTED_PROXY_COUNT=1; addresses from 198.18.0.0/15, the benchmarking range), so the per-IP
signing limits are checked as for real supporters, and never tripped.

Targets: at least 300 signatures per second, with the form's POST under 150 ms at the 99th
percentile. Afterwards: one row per successful post, no duplicates, every confirmation email sent,
and the count shown by the API equal to the confirmed rows once the counting delay has passed.

Then signing in French against English, at the page's own addresses (/fr/act/…, /en/act/…):
short runs alternating between the two in the same server, so that whatever else the machine is
doing weighs on both alike. Target: French within 10 % of English (signatures per second).

For scale, the same run then measures a minimal Django form (bench/minimal: a ModelForm writing a
signature row and an outbox row in one transaction, CSRF on, no cache or worker) under the same
gunicorn shape and load on the same database, and prints its figures (the page's GET and the
form's POST) beside Rally's.
"""

import ipaddress
import os
import secrets
from dataclasses import dataclass, field

from bench.harness import (
    WEB_THREADS,
    WEB_WORKERS,
    CpuMeter,
    bench_database,
    celery_worker,
    check,
    get_json,
    gunicorn,
    manage,
    prepare_site,
    production_env,
    redis_server,
    site_call,
    sql_value,
    wait_until,
)
from bench.visitors import RequestFailed, Visitor, run_visitors

CONCURRENCY = 32
DURATION_SECONDS = 15
ACTION_SLUG = "suspend-the-safe-third-country-agreement"  # the demo petition (campaigns.demo)
SUPPORTER_NETWORK = ipaddress.ip_network("198.18.0.0/15")
COUNT_DELAY_SECONDS = 5
# The French/English comparison: this many alternating runs of each, each this long.
LANGUAGE_ROUNDS = 3
LANGUAGE_RUN_SECONDS = 5
LANGUAGE_NUMBERS = 10_000
# What the page after a valid post says, in each language.
RECORDED = {"en": b"check your inbox", "fr": "consultez votre boîte de réception".encode()}
# The warm-up's supporters come from other addresses than the measured ones.
WARM_UP_FIRST_NUMBER = 100_000
UNSENT_EMAILS = "SELECT count(*) FROM emails_outboxemail WHERE status IN ('queued', 'sending')"


def supporter_ip(number: int) -> str:
    return str(SUPPORTER_NETWORK[1 + number % (SUPPORTER_NETWORK.num_addresses - 2)])


def form_fields(prefix: str, number: int) -> dict:
    """What supporter `number` types into the form: a unique address, every other one opted in."""
    return {
        "first_name": "Bench",
        "last_name": f"Supporter{number}",
        "email": f"{prefix}{number}@example.org",
        "country": "CA",
        "postal_code": "K1A 0B1",
        "opt_in": "on" if number % 2 else "",
        "website": "",
    }


def main() -> list:
    page = f"/act/{ACTION_SLUG}/"
    prefix = f"bench-sign-{secrets.token_hex(3)}-"
    print(
        f"   gunicorn {WEB_WORKERS} threaded workers x {WEB_THREADS} threads, 1 Celery worker (nice 10), "
        f"{CONCURRENCY} supporters for "
        f"{DURATION_SECONDS}s, {os.cpu_count()} CPUs",
        flush=True,
    )

    def signer(prefix: str, first_number: int = 0):
        def sign(visitor: Visitor, number: int) -> None:
            sign_as(visitor, prefix, first_number + number)

        return sign

    def sign_as(visitor: Visitor, prefix: str, number: int, *, address: str = page, language: str = "en") -> None:
        visitor.new_session()
        form = visitor.get(address, label="page")
        response = visitor.post(
            address,
            form_fields(prefix, number),
            label="post",
            csrf_from=form,
            headers={"X-Forwarded-For": supporter_ip(number)},
        )
        if RECORDED[language] not in response.body:
            raise RequestFailed("The page after posting did not say the signature was recorded")

    def signer_in(language: str, first_number: int):
        def sign(visitor: Visitor, number: int) -> None:
            sign_as(
                visitor,
                f"bench-{language}-{prefix}",
                first_number + number,
                address=f"/{language}{page}",
                language=language,
            )

        return sign

    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            TRUSTED_PROXY_COUNT=1,
            COUNT_DELAY_SECONDS=COUNT_DELAY_SECONDS,
        )
        prepare_site(env)
        with (
            celery_worker(env, nice=10) as worker,
            gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS) as server,
        ):
            # Every thread of every worker signs a few times first: its database connection, the
            # templates and the email validator's regular expression are ready before the clock runs.
            run_visitors(server.url, signer("bench-warm-", WARM_UP_FIRST_NUMBER), concurrency=CONCURRENCY, duration=3)
            meter = CpuMeter(web_pid=server.pid, worker_pid=worker.pid, database_url=database_url, redis_url=redis_url)
            with meter:
                load = run_visitors(server.url, signer(prefix), concurrency=CONCURRENCY, duration=DURATION_SECONDS)
                # The worker took what the web processes left during the burst; it catches up now.
                _, emails_drained_after = wait_until(
                    lambda: not sql_value(database_url, UNSENT_EMAILS), timeout=180, interval=0.5
                )
            print(load.summary(), flush=True)
            for error in load.errors[:5]:
                print(f"   error: {error}", flush=True)
            post = load.stats["post"]
            if emails_drained_after is not None:
                print(
                    f"   the worker had sent every email {emails_drained_after:.1f}s after the load ended", flush=True
                )
            print(
                f"   CPU per signature, page and form included, to the last email: {meter.per(post.count)}", flush=True
            )
            print(
                f"   so two idle CPUs could take about {2000 / meter.total_ms_per(post.count):.0f} signatures/s",
                flush=True,
            )
            figures = site_call(env, "signature_figures", action_slug=ACTION_SLUG, email_prefix=prefix)
            print(f"   database: {figures}", flush=True)
            api = server.url + f"/api/actions/{ACTION_SLUG}/"
            shown, _ = wait_until(
                lambda: get_json(api)["count"] == figures["confirmed_on_action"], timeout=3 * COUNT_DELAY_SECONDS
            )
            by_language = compare_languages(server.url, signer_in)

        minimal = minimal_form(env, prefix)
    print(f"   a minimal Django form (bench/minimal):{minimal.summary()}", flush=True)
    for name, run in (("Rally", load), ("a minimal Django form (bench/minimal)", minimal)):
        posts, pages = run.stats["post"], run.stats["page"]
        print(
            f"   {name}: {posts.count / run.duration:.0f} signatures/s,"
            f" POST p50 {posts.p50_ms:.0f} ms, p99 {posts.p99_ms:.0f} ms;"
            f" GET p50 {pages.p50_ms:.0f} ms, p99 {pages.p99_ms:.0f} ms",
            flush=True,
        )

    successes = post.count
    english, french = (by_language[language] for language in ("en", "fr"))
    return [
        check("signing_french_to_english_signatures", french.rate / english.rate, "x English", at_least=0.9),
        check("signing_language_runs_failed_requests", english.failures + french.failures, "requests", under=1),
        check("signing_signatures_per_second", successes / load.duration, "signatures/s", at_least=300),
        check("signing_post_p99_latency", post.p99_ms, "ms", under=150),
        check("signing_failed_requests", sum(s.failures for s in load.stats.values()), "requests", under=1),
        check("signing_rows_minus_successful_posts", abs(figures["rows"] - successes), "rows", under=1),
        check("signing_duplicate_rows", figures["duplicates"], "rows", under=1),
        check("signing_suspected_fraud_rows", figures["by_status"].get("fraud", 0), "rows", under=1),
        check(
            "signing_confirmation_emails_unsent", figures["rows"] - figures["outbox"].get("sent", 0), "emails", under=1
        ),
        check("signing_emails_all_sent_after_load", emails_drained_after or 999, "s", under=180),
        check("signing_shown_count_differs_from_confirmed_rows", 0 if shown else 1, "", under=1),
    ]


@dataclass
class LanguageLoad:
    signatures: int = 0
    seconds: float = 0.0
    failures: int = 0
    p99_ms: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.signatures / self.seconds if self.seconds else 0.0


def compare_languages(server_url: str, signer_in) -> dict[str, LanguageLoad]:
    """Alternating runs of supporters signing at /en/act/… and at /fr/act/… (see the docstring)."""
    loads = {"en": LanguageLoad(), "fr": LanguageLoad()}
    # Each run's supporters come from addresses of their own (the per-IP limits): numbers taken
    # LANGUAGE_NUMBERS apart, past those of the measured run before.
    for index, language in enumerate(loads):
        first = WARM_UP_FIRST_NUMBER + (index + 1) * LANGUAGE_NUMBERS
        run_visitors(server_url, signer_in(language, first), concurrency=CONCURRENCY, duration=2)
    for round_number in range(LANGUAGE_ROUNDS):
        # Each language goes first every other round: neither always follows the other's backlog.
        order = list(enumerate(loads))
        for index, language in order if round_number % 2 == 0 else reversed(order):
            total = loads[language]
            run = run_visitors(
                server_url,
                signer_in(language, (2 + 2 * round_number + index) * LANGUAGE_NUMBERS),
                concurrency=CONCURRENCY,
                duration=LANGUAGE_RUN_SECONDS,
            )
            total.signatures += run.stats["post"].count
            total.seconds += run.duration
            total.failures += sum(stats.failures for stats in run.stats.values())
            total.p99_ms.append(run.stats["post"].p99_ms)
    english, french = loads["en"], loads["fr"]
    for language, total in loads.items():
        p99s = ", ".join(f"{p99:.0f}" for p99 in total.p99_ms)
        print(
            f"   /{language}/act/…: {total.rate:.0f} signatures/s, POST p99 per run {p99s} ms,"
            f" {total.failures} failures",
            flush=True,
        )
    print(
        f"   French / English: {french.rate / english.rate:.3f} x the signatures per second (target: at least 0.9)",
        flush=True,
    )
    return loads


def minimal_form(env: dict, prefix: str):
    """bench/minimal under the load Rally just had: its own tables in the same database."""
    env = dict(env, DJANGO_SETTINGS_MODULE="bench.minimal.settings")
    manage(env, "migrate", "--noinput")
    page = f"/act/{ACTION_SLUG}/"

    def signer(first_number: int):
        def sign(visitor: Visitor, number: int) -> None:
            visitor.new_session()
            form = visitor.get(page, label="page")
            fields = form_fields(prefix, first_number + number)
            response = visitor.post(page, fields, label="post", csrf_from=form)
            if b"check your inbox" not in response.body:
                raise RequestFailed("The minimal form did not take the signature")

        return sign

    with gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS, app="bench.minimal.wsgi") as server:
        run_visitors(server.url, signer(WARM_UP_FIRST_NUMBER), concurrency=CONCURRENCY, duration=3)
        return run_visitors(server.url, signer(0), concurrency=CONCURRENCY, duration=DURATION_SECONDS)


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

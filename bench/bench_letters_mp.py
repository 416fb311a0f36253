"""Letters to the supporter's own MP against letters to a fixed decision-maker, under load.

gunicorn with production settings on PostgreSQL and a private Redis, a real Celery worker (at a
lower priority, as in bench_signing). Supporters post the demo's two letter actions in turn: the
fixed one ("Write to the Minister") and the one addressed from the postal code ("Write to your MP",
campaigns.demo_mps), whose postal code the demo has already looked up (the lookup table), so no
request leaves the machine: REPRESENT_URL points at a closed local port, and a lookup that missed
the table would make the post answer "not yet addressed" and be counted a failure.

Each supporter is new, reads the page, and posts the form as a browser with JavaScript does: the
MP's riding chosen already (the "Your MP" lookup filled it in while they typed), so one post sends.

The two kinds take turns in short phases (fixed, MP, fixed, MP, ...), so that a change of the
machine's load during the run weighs on both alike; the figure is their ratio within the run.

Target: letters to the supporter's MP are taken at 80 % or more of the rate of letters to a fixed
decision-maker; every MP letter is addressed to the MP of its riding.
"""

import ipaddress
import os
import secrets

from bench.harness import (
    WEB_THREADS,
    WEB_WORKERS,
    bench_database,
    celery_worker,
    check,
    free_port,
    gunicorn,
    prepare_site,
    production_env,
    redis_server,
    sql_value,
)
from bench.visitors import LoadResult, RequestFailed, Visitor, run_visitors

CONCURRENCY = 16
PHASES = 3  # of each kind, alternating
PHASE_SECONDS = 5
FIXED_SLUG = "write-to-the-minister"  # campaigns.demo
MP_SLUG = "write-to-your-mp"  # campaigns.demo_mps
MP_POSTAL_CODE = "K1A 0B1"  # looked up by the demo: Ottawa Centre
SUPPORTER_NETWORK = ipaddress.ip_network("198.18.0.0/15")
LETTER = "Dear Member of Parliament,\n\nPlease call for the suspension of the agreement.\n\nThank you,"
UNADDRESSED_MP_LETTERS = (
    "SELECT count(*) FROM campaigns_letter l JOIN campaigns_signature s ON s.id = l.signature_id"
    " WHERE s.email LIKE %s AND (l.representative_id IS NULL OR l.riding <> 'Ottawa Centre')"
)


def supporter_ip(number: int) -> str:
    return str(SUPPORTER_NETWORK[1 + number % (SUPPORTER_NETWORK.num_addresses - 2)])


def signer(slug: str, prefix: str, riding: str = "", first_number: int = 0):
    page = f"/act/{slug}/"

    def sign(visitor: Visitor, number: int) -> None:
        number += first_number
        visitor.new_session()
        form = visitor.get(page, label="page")
        fields = {
            "first_name": "Bench",
            "last_name": f"Writer{number}",
            "email": f"{prefix}{number}@example.org",
            "country": "CA",
            "postal_code": MP_POSTAL_CODE,
            "message": LETTER,
            "website": "",
        }
        if riding:
            fields["riding"] = riding
        response = visitor.post(
            page, fields, label="post", csrf_from=form, headers={"X-Forwarded-For": supporter_ip(number)}
        )
        if b"check your inbox" not in response.body or b"not answering right now" in response.body:
            raise RequestFailed("The page after posting did not say the letter was recorded and addressed")

    return sign


def main() -> list:
    run = secrets.token_hex(3)
    print(
        f"   gunicorn {WEB_WORKERS} threaded workers x {WEB_THREADS} threads, 1 Celery worker (nice 10), "
        f"{CONCURRENCY} writers, {PHASES} phases of {PHASE_SECONDS}s per action in turn, {os.cpu_count()} CPUs",
        flush=True,
    )
    with bench_database() as database_url, redis_server() as redis_url:
        env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            TRUSTED_PROXY_COUNT=1,
            # Nothing listens there: a lookup that missed the table could not reach any service.
            REPRESENT_URL=f"http://127.0.0.1:{free_port()}",
            REPRESENT_TIMEOUT_SECONDS=0.5,
        )
        prepare_site(env)
        riding = str(
            sql_value(database_url, "SELECT id FROM campaigns_representative WHERE district_name = 'Ottawa Centre'")
        )
        with celery_worker(env, nice=10), gunicorn(env, workers=WEB_WORKERS, threads=WEB_THREADS) as server:
            for slug, extra in ((FIXED_SLUG, ""), (MP_SLUG, riding)):
                run_visitors(
                    server.url, signer(slug, f"warm-{slug}-", extra, 100_000), concurrency=CONCURRENCY, duration=3
                )
            # Phases alternate (fixed, MP, fixed, MP, ...): a machine shared with other work changes
            # its load as the run goes, and each kind of letter then gets its share of every load.
            phases = {FIXED_SLUG: [], MP_SLUG: []}
            for phase in range(PHASES):
                for slug, extra, kind in ((FIXED_SLUG, "", "fixed"), (MP_SLUG, riding, "mp")):
                    writer = signer(slug, f"bench-{run}-{kind}-", extra, first_number=phase * 1_000_000)
                    phases[slug].append(
                        run_visitors(server.url, writer, concurrency=CONCURRENCY, duration=PHASE_SECONDS)
                    )
            fixed, mp = LoadResult.combined(phases[FIXED_SLUG]), LoadResult.combined(phases[MP_SLUG])
            print(f"   fixed decision-maker: {fixed.summary()}", flush=True)
            print(f"   the supporter's MP:   {mp.summary()}", flush=True)
            rates = [
                f"{100 * (m.stats['post'].count / m.duration) / (f.stats['post'].count / f.duration):.0f} %"
                for f, m in zip(phases[FIXED_SLUG], phases[MP_SLUG], strict=True)
                if "post" in f.stats and "post" in m.stats and f.stats["post"].count
            ]
            print(f"   MP rate of fixed, phase by phase: {', '.join(rates)}", flush=True)
            for error in (fixed.errors + mp.errors)[:5]:
                print(f"   error: {error}", flush=True)
        unaddressed = sql_value(database_url, UNADDRESSED_MP_LETTERS, (f"bench-{run}-mp-%",))

    fixed_rate = fixed.stats["post"].count / fixed.duration
    mp_rate = mp.stats["post"].count / mp.duration
    ratio = 100 * mp_rate / fixed_rate if fixed_rate else 0
    print(f"   {mp_rate:.0f} letters/s to MPs, {fixed_rate:.0f} to the fixed decision-maker", flush=True)
    failures = sum(s.failures for s in fixed.stats.values()) + sum(s.failures for s in mp.stats.values())
    return [
        check("letters_mp_rate_of_fixed_target", ratio, "%", at_least=80),
        check("letters_mp_failed_requests", failures, "requests", under=1),
        check("letters_mp_not_addressed", unaddressed, "letters", under=1),
    ]


if __name__ == "__main__":
    import sys

    sys.exit(0 if all(result.passed for result in main()) else 1)

"""Exporting one action's 1,000,000 signatures as CSV, on PostgreSQL, through the admin's export view.

The export streams: a server-side cursor hands the rows over 2,000 at a time, a generator turns
them into CSV pieces, and StreamingHttpResponse sends each piece as it comes. So memory must stay
flat whatever the row count. Targets: the exporting process's peak resident memory under 150 MB
(Django and the admin loaded, exporting a million rows), and at least 50,000 rows a second.

The rows go in with one INSERT … SELECT over generate_series (about half a minute); the export runs
in a process of its own (bench/export_worker.py, through the view with Django's test client as a
signed-in Supporter data member would), sampled from outside by RssSampler.
BENCH_EXPORT_ROWS changes the row count (e.g. 100000 for a quick look).
"""

import json
import os
import subprocess
import sys
import time

from bench.harness import BASE_DIR, RssSampler, bench_database, check, manage, production_env

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))
PEAK_RSS_TARGET_MB = 150
ROWS_PER_SECOND_TARGET = 50_000

MAKE_ACTION = """
from campaigns.models import Action, Campaign
campaign, _ = Campaign.objects.get_or_create(
    slug="bench", defaults={"title": "Bench", "summary": "Bench", "status": "live"}
)
action, _ = Action.objects.get_or_create(
    slug="bench-export",
    defaults={"campaign": campaign, "title": "Bench export", "summary": "Bench", "ask": "Bench", "status": "live"},
)
print(action.pk)
"""

# Realistic rows: names, addresses, provinces, one in a thousand names a spreadsheet would run as a
# formula (so the escaping is on the measured path), timestamps spread over the last weeks.
INSERT_ROWS = """
INSERT INTO campaigns_signature (
    action_id, first_name, last_name, email, email_normalised, country, region, postal_code, opt_in,
    language, status, status_reason, ip_hash, emails_sent, created_at, confirmed_at
)
SELECT
    %(action_id)s,
    CASE WHEN n %% 1000 = 0 THEN '=HYPERLINK("http://x")' ELSE 'Supporter' || n END,
    'Lastname' || (n %% 5000),
    'signer' || n || '@example.org',
    'signer' || n || '@example.org',
    'CA',
    (ARRAY['ON', 'QC', 'BC', 'AB', 'MB', 'NS'])[1 + n %% 6],
    'K1A 0B' || (n %% 10),
    n %% 3 = 0,
    CASE WHEN n %% 4 = 0 THEN 'fr' ELSE 'en' END,
    'confirmed',
    '',
    md5(n::text) || md5((n + 1)::text),
    1,
    now() - make_interval(secs => n),
    now() - make_interval(secs => n) + interval '2 minutes'
FROM generate_series(1, %(rows)s) AS n
"""


def _insert(database_url: str, action_id: int, rows: int) -> float:
    import psycopg2

    started = time.monotonic()
    connection = psycopg2.connect(database_url)
    with connection, connection.cursor() as cursor:
        cursor.execute(INSERT_ROWS, {"action_id": action_id, "rows": rows})
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_signature")
    connection.close()
    return time.monotonic() - started


def main() -> list:
    with bench_database() as database_url:
        env = production_env(database_url=database_url, ALLOWED_HOSTS="testserver", ADMIN_REQUIRES_MFA="off")
        manage(env, "migrate", "--noinput")
        action_id = int(manage(env, "shell", "-c", MAKE_ACTION).strip().splitlines()[-1])
        seconds = _insert(database_url, action_id, ROWS)
        print(f"   {ROWS:,} signatures inserted in {seconds:.0f}s", flush=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.export_worker", str(action_id)],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        with RssSampler(process.pid, interval=0.05) as memory:
            output, _errors = process.communicate(timeout=1800)
        if process.returncode:
            raise RuntimeError(f"The export worker failed ({process.returncode})")
    report = json.loads(output.strip().splitlines()[-1])
    rate = report["rows"] / report["seconds"]
    print(
        f"   exported {report['rows']:,} rows ({report['bytes'] / 1e6:,.0f} MB of CSV) in {report['seconds']:.1f}s; "
        f"RSS {report['rss_before_mb']:.0f} MB before the export, {report['rss_after_mb']:.0f} MB after, "
        f"peak {report['max_rss_mb']:.0f} MB (getrusage)",
        flush=True,
    )
    return [
        check("export_rows", report["rows"], "rows", at_least=ROWS),
        check("export_audit_log_rows", report["logged_rows"], "rows", at_least=ROWS),
        check("export_peak_rss", memory.peak_mb, "MB", under=PEAK_RSS_TARGET_MB),
        check("export_rows_per_second", rate, "rows/s", at_least=ROWS_PER_SECOND_TARGET),
    ]


if __name__ == "__main__":
    sys.exit(0 if all(result.passed for result in main()) else 1)

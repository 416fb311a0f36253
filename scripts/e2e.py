#!/usr/bin/env python3
"""`make e2e`: the browser tests in tests/e2e, in Debian's headless Chromium, on the embedded default.

The site runs in pytest-django's live server on a SQLite test database with eager Celery and
Django's in-memory outbox, so the tests read the emails the site sends. Screenshots of every page
land in var/e2e-screenshots/. Arguments are passed to pytest (`scripts/e2e.py -k signup`).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RALLY_CHROMIUM", "/usr/bin/chromium")


def main(pytest_args: list[str]) -> int:
    if not Path(CHROMIUM).exists():
        sys.exit(f"e2e: {CHROMIUM} is missing. Install Debian's package: apt-get install -y chromium")
    shutil.rmtree(BASE_DIR / "var" / "e2e-screenshots", ignore_errors=True)
    env = dict(os.environ, DJANGO_ALLOW_ASYNC_UNSAFE="true")
    # The embedded default: whatever servers this shell points at are not the browser tests' business.
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "tests/e2e", "-m", "e2e", "-p", "no:xdist", *pytest_args]
    returncode = subprocess.call(command, cwd=BASE_DIR, env=env)
    print(f"e2e: {time.monotonic() - started:.0f}s; screenshots in var/e2e-screenshots/", flush=True)
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

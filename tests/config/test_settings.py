"""What config/settings.py makes of the environment, loaded afresh in a process of its own: the
email backend Rally sends with, the release in every cache key, and PgBouncer's transaction pooling."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.release import code_release

BASE_DIR = Path(__file__).resolve().parents[2]
READ = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'EMAIL_BACKEND': settings.EMAIL_BACKEND, 'RELEASE_ID': settings.RELEASE_ID, "
    "'SERVER_SIDE_CURSORS': not settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
)


def _settings(tmp_path, **environment) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_URL", "EMAIL_BACKEND", "RELEASE_ID", "DATABASE_URL", "PGBOUNCER_TRANSACTION_POOLING"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="on", RALLY_VAR_DIR=str(tmp_path), **environment)
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {READ}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "environment, backend",
    [
        ({}, "emails.backends.FileAndConsoleBackend"),
        ({"EMAIL_URL": "smtp+tls://user:secret@smtp.example.org:587"}, "emails.backends.SMTPBackend"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}, "emails.backends.SMTPBackend"),
        ({"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}, "anymail.backends.postmark.EmailBackend"),
    ],
)
def test_the_email_backend_rally_sends_with(tmp_path, environment, backend):
    assert _settings(tmp_path, **environment)["EMAIL_BACKEND"] == backend


def test_the_release_is_the_deploys_else_the_codes(tmp_path):
    assert _settings(tmp_path, RELEASE_ID="abc1234")["RELEASE_ID"] == "abc1234"
    assert _settings(tmp_path)["RELEASE_ID"] == code_release(BASE_DIR)


def test_the_codes_release_names_its_version_and_changes_with_any_template(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "rally"\nversion = "2.3.0"\n')
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "db.sqlite3").write_text("not source")
    first = code_release(tmp_path)
    assert first.startswith("2.3.0+") and code_release(tmp_path) == first
    (tmp_path / "var" / "db.sqlite3").write_text("written at run time")
    assert code_release(tmp_path) == first
    page.write_text("<p>two</p>")
    assert code_release(tmp_path) != first


def test_transaction_pooling_turns_server_side_cursors_off(tmp_path):
    postgres = "postgres://rally@127.0.0.1:6432/rally"
    assert _settings(tmp_path, DATABASE_URL=postgres)["SERVER_SIDE_CURSORS"] is True
    pooled = _settings(tmp_path, DATABASE_URL=postgres, PGBOUNCER_TRANSACTION_POOLING="on")
    assert pooled["SERVER_SIDE_CURSORS"] is False

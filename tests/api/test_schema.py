"""The OpenAPI schema documents every answer the API gives, and production's deploy check is
silent about it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_every_operation_documents_404_and_429(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    assert len(operations) >= 6
    for operation in operations:
        assert {"200", "404", "429"} <= set(operation["responses"])
        assert operation["responses"]["429"]["headers"]["Retry-After"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


@pytest.mark.django_db
def test_the_enums_have_the_names_given_them(client):
    schemas = json.loads(client.get("/api/openapi.json").content)["components"]["schemas"]
    assert schemas["ActionKindEnum"]["enum"] == ["petition", "pledge", "letter"]
    assert "DevelopmentKindEnum" in schemas
    assert not [name for name in schemas if name[-5:-4].isdigit() and name.endswith("Enum")]


def test_the_deploy_check_with_production_settings_says_nothing_of_the_schema(tmp_path):
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "DJANGO_SETTINGS"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "off",
        "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "rally.example.org",
        "SITE_URL": "https://rally.example.org",
        "DEFAULT_FROM_EMAIL": "Rally <rally@example.org>",
        "RALLY_VAR_DIR": str(tmp_path),
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "EMAIL_BACKEND", "REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = checked.stdout + checked.stderr
    assert checked.returncode == 0, output
    assert "drf_spectacular" not in output
    assert "System check identified no issues" in output

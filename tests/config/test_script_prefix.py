"""Rally is served at the root: no client can make a page, a link or the page cache carry another
script prefix (the review's cache poisoning through SCRIPT_NAME)."""

import http.client
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.wsgi import get_script_name
from django.test import Client
from django.test.client import ClientHandler
from django.urls import get_script_prefix, set_script_prefix

from core.reversing import reverse_cached
from tests.campaigns.factories import ActionFactory
from tests.services import free_port, wait_until

BASE_DIR = Path(__file__).resolve().parent.parent.parent
POISON = "/poison"


class _ServerHandler(ClientHandler):
    """The test client's handler, taking the script prefix from the request as Django's WSGI
    handler does (the test client leaves it at "/")."""

    def __call__(self, environ):
        set_script_prefix(get_script_name(environ))
        try:
            return super().__call__(environ)
        finally:
            set_script_prefix("/")


def _server_client() -> Client:
    client = Client()
    client.handler = _ServerHandler(enforce_csrf_checks=False)
    return client


@pytest.mark.django_db
def test_a_client_script_name_prefixes_no_link():
    action = ActionFactory()

    html = _server_client().get(f"/act/{action.slug}/", SCRIPT_NAME=POISON).content.decode()

    assert f'"/en/act/{action.slug}/"' in html and 'href="/en/campaigns/"' in html
    assert POISON not in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/campaigns/", "/act/{slug}/", "/tracker/"])
def test_a_page_built_under_another_prefix_is_kept_for_nobody(settings, path):
    # Were the prefix ever taken from the request again (FORCE_SCRIPT_NAME unset), what was built
    # under it stays with that request: page cache, fragments, memoised chrome and links.
    action = ActionFactory()
    path = path.format(slug=action.slug)
    settings.FORCE_SCRIPT_NAME = None

    poisoned = _server_client().get(path, SCRIPT_NAME=POISON).content.decode()
    later = _server_client().get(path).content.decode()

    assert f'"{POISON}/i18n/setlang/"' in poisoned
    assert POISON not in later


def test_links_remembered_at_the_root_are_never_those_made_under_another_prefix():
    set_script_prefix(f"{POISON}/")
    try:
        assert reverse_cached("campaigns:action-detail", "prefix-test") == f"{POISON}/en/act/prefix-test/"
    finally:
        set_script_prefix("/")
    assert get_script_prefix() == "/"
    assert reverse_cached("campaigns:action-detail", "prefix-test") == "/en/act/prefix-test/"


def _raw_get(port: int, path: str, headers: dict) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@pytest.fixture
def web_server(celery_worker_env, tmp_path):
    """gunicorn as the Procfile runs it (its config file), on loopback, on the test database and
    the shared cache: a client connects from 127.0.0.1, the address gunicorn trusts by default."""
    port = free_port()
    env = dict(celery_worker_env, RALLY_VAR_DIR=str(tmp_path), SITE_URL=f"http://127.0.0.1:{port}")
    env.pop("FORWARDED_ALLOW_IPS", None)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def up():
        assert process.poll() is None, log_path.read_text()
        try:
            return _raw_get(port, "/healthz", {})[0] == 200
        except OSError:
            return False

    try:
        wait_until(up, timeout=60, message="gunicorn did not start")
        yield port
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


@pytest.mark.services
def test_gunicorn_takes_no_script_name_from_a_client(web_server):
    action = ActionFactory()
    page = f"/act/{action.slug}/"

    # gunicorn's default would strip the prefix it was told and hand Django /act/<slug>/.
    status, _body = _raw_get(web_server, f"{POISON}{page}", {"SCRIPT_NAME": POISON})
    assert status == 404
    status, body = _raw_get(web_server, page, {"SCRIPT_NAME": POISON, "X-Forwarded-Proto": "https"})
    assert status == 200 and POISON not in body

    status, body = _raw_get(web_server, page, {})
    assert status == 200
    assert action.title in body and POISON not in body


def _gunicorn_settings(monkeypatch, **env) -> dict:
    import runpy

    for name in ("BIND_ADDRESS", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_the_web_process_listens_on_loopback_unless_told_otherwise(monkeypatch):
    # gunicorn's own default, with PORT set (as platforms set it), is 0.0.0.0:$PORT.
    assert _gunicorn_settings(monkeypatch)["bind"] == ["127.0.0.1:8000"]
    assert _gunicorn_settings(monkeypatch, PORT="5000")["bind"] == ["127.0.0.1:5000"]
    assert _gunicorn_settings(monkeypatch, BIND_ADDRESS="0.0.0.0", PORT="80")["bind"] == ["0.0.0.0:80"]
    assert _gunicorn_settings(monkeypatch, BIND_ADDRESS="::1")["bind"] == ["[::1]:8000"]


def test_the_procfile_runs_gunicorn_with_rallys_settings_and_binds_nothing_itself():
    [web] = [line for line in (BASE_DIR / "Procfile").read_text().splitlines() if line.startswith("web:")]
    assert "--config gunicorn.conf.py" in web
    assert "--bind" not in web and "0.0.0.0" not in web and "forwarded" not in web.lower()

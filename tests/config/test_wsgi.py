"""The WSGI entry point warms a web process up before its first request."""

import logging

from django.template import engines
from django.test import Client
from django.urls import get_resolver
from django.utils import translation


def test_the_entry_point_serves_and_has_loaded_what_the_first_request_needs(db):
    from config import wsgi

    engine = engines["django"].engine
    loader = engine.template_loaders[0]
    wsgi.warm_up()
    # The cached template loader now holds the public pages' compiled templates.
    if hasattr(loader, "get_template_cache"):
        assert "campaigns/action_detail.html" in loader.get_template_cache
    assert get_resolver()._populated
    assert translation.trans_real._translations.get("fr") is not None
    assert Client().get("/healthz").status_code == 200


def test_a_failed_warm_up_is_logged_and_left_to_the_first_request(monkeypatch):
    from config import wsgi

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("config.wsgi")
    logger.addHandler(handler)
    monkeypatch.setattr(wsgi, "WARM_TEMPLATES", ("no/such/template.html",))
    try:
        wsgi.warm_up()
    finally:
        logger.removeHandler(handler)
    assert [record.getMessage() for record in records] == ["Warming up the web process failed"]

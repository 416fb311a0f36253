"""WSGI entry point (`gunicorn config.wsgi`)."""

import gc
import logging
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# The public pages a supporter arriving from a shared link goes through.
WARM_TEMPLATES = (
    "base.html",
    "pages/home.html",
    "campaigns/action_detail.html",
    "campaigns/_action_page.html",
    "campaigns/_action_ask.html",
    "campaigns/_action_form.html",
    "campaigns/_action_panel.html",
    "campaigns/signature_submitted.html",
    "campaigns/signature_confirm.html",
    "campaigns/action_embed.html",
    "bootstrap5/field.html",
    "bootstrap5/layout/baseinput.html",
)


def warm_up() -> None:
    """Does before the first request what Django does lazily during it: the URL patterns, each
    language's catalogue, the public templates. A new web process otherwise spends its first
    requests on them (hundreds of milliseconds while its neighbours are busy), and the visitors
    queued behind it wait. Reads nothing from the database or the cache; a failure is logged and
    left to the first request, as before."""
    try:
        resolver = get_resolver()
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Sign")
                resolver.reverse_dict  # noqa: B018 - populates the resolver for this language
        for name in WARM_TEMPLATES:
            get_template(name)
    except Exception:
        logging.getLogger(__name__).warning("Warming up the web process failed", exc_info=True)
    # What was loaded lives as long as the process: out of the garbage collector's sight.
    gc.collect()
    gc.freeze()


warm_up()

"""Rally's URLs. Public pages are at /en/…, /fr/… and, as before, without a prefix; all are stable
(docs/architecture.md). The API, the admin and the machinery stay unprefixed."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.defaults import page_not_found, permission_denied, server_error
from django.views.i18n import JavaScriptCatalog

from accounts.views import language_set
from core.languages import language_patterns
from core.views import favicon
from pages.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    # Ahead of Django's own view at the same address: a signed-in supporter's switch is saved.
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    # Last: without a prefix, these match whatever the paths above did not.
    *language_patterns(
        path("accounts/", include("accounts.urls")),
        path("accounts/", include("allauth.urls")),
        path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
        path("email/", include("emails.urls")),
        path("tracker/", include("tracker.urls")),
        path("", include("pages.urls")),
        path("", include("campaigns.urls")),
    ),
]

if settings.DEBUG:
    # Lets `make run` show the friendly error pages.
    urlpatterns += [
        path("__errors__/404/", page_not_found, {"exception": Exception()}),
        path("__errors__/403/", permission_denied, {"exception": Exception()}),
        path("__errors__/500/", server_error),
    ]

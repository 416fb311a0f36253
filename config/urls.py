"""Rally's URLs. Public URLs carry no language prefix and are stable (docs/architecture.md)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts.views import language_set
from core.views import favicon
from pages.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Ahead of Django's own view at the same address: a signed-in supporter's switch is saved.
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("email/", include("emails.urls")),
    path("tracker/", include("tracker.urls")),
    path("api/", include("api.urls")),
    path("", include("pages.urls")),
    path("", include("campaigns.urls")),
]

if settings.DEBUG:
    from django.views.defaults import page_not_found, permission_denied, server_error

    # Lets `make run` show the friendly error pages.
    urlpatterns += [
        path("__errors__/404/", page_not_found, {"exception": Exception()}),
        path("__errors__/403/", permission_denied, {"exception": Exception()}),
        path("__errors__/500/", server_error),
    ]

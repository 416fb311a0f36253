"""The core app (it holds no model), and the admin with Rally's site: staff reach it through
allauth and, in production, with 2FA."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    # Two configs live here: this one is what "core" in INSTALLED_APPS means; the admin's is
    # named in full.
    default = True
    name = "core"
    verbose_name = "Rally core"


class RallyAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin.RallyAdminSite"

"""The admin, with Rally's site: staff reach it through allauth and, in production, with 2FA."""

from django.contrib.admin.apps import AdminConfig


class RallyAdminConfig(AdminConfig):
    default_site = "config.admin.RallyAdminSite"

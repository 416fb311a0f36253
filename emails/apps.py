from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = _("Email")

    def ready(self):
        from anymail.signals import tracking

        from .webhooks import tracking_event_received

        tracking.connect(tracking_event_received, dispatch_uid="emails.tracking_event_received")

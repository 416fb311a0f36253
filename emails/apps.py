from anymail.signals import tracking
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "emails"
    verbose_name = _("Email")

    def ready(self):
        # Imported here: these modules import models, which need the app registry ready.
        from accounts.adapters import mail_sender_register
        from core.admin import dashboard_panel_register

        from .account_mail import account_mail_send
        from .dashboard import mailings_panel, outbox_panel
        from .mailings import CAMPAIGN_UPDATE_SUBSCRIBERS
        from .models import Mailing
        from .registry import audience_register
        from .webhooks import tracking_event_received

        tracking.connect(tracking_event_received, dispatch_uid="emails.tracking_event_received")
        # accounts sits below emails: allauth's mails reach the outbox through this, within caps.
        mail_sender_register(account_mail_send)
        audience_register(Mailing.Audience.CAMPAIGN_UPDATES, CAMPAIGN_UPDATE_SUBSCRIBERS)
        dashboard_panel_register(mailings_panel)
        dashboard_panel_register(outbox_panel)

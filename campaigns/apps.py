from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # Imported here: these modules import models, which need the app registry ready.
        from core.admin import dashboard_panel_register
        from core.audit import register_audit_recorder
        from emails.models import Mailing
        from emails.registry import audience_register, digest_source_register

        from .audiences import SIGNERS
        from .dashboard import audit_panel, live_actions_panel
        from .digests import digest_batch
        from .fastpath import checks  # noqa: F401 - registers the middleware order check
        from .services.audit import audit_record_step

        # emails knows no campaign: it learns what a digest holds and whom a mailing reaches.
        digest_source_register(digest_batch)
        audience_register(Mailing.Audience.SIGNERS, SIGNERS)
        # The lower apps (emails: mailings) log their staff steps in this app's audit trail.
        register_audit_recorder(audit_record_step)
        dashboard_panel_register(live_actions_panel)
        dashboard_panel_register(audit_panel)

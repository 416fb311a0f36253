from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Tracker")

    def ready(self):
        # Imported here: these modules import models, which need the app registry ready.
        from campaigns.sharing import next_step_register
        from core.admin import dashboard_panel_register
        from emails.models import Mailing
        from emails.registry import audience_register, digest_source_register

        from .audiences import FOLLOWERS
        from .dashboard import tracker_panel
        from .digests import digest_batch
        from .sharing import follow_step

        # emails knows no review: it learns what a digest holds and whom a mailing reaches.
        digest_source_register(digest_batch)
        audience_register(Mailing.Audience.FOLLOWERS, FOLLOWERS)
        dashboard_panel_register(tracker_panel)
        # campaigns knows no review: after an action, it offers to follow the one it relates to.
        next_step_register(follow_step)

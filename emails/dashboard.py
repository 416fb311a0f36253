"""The emails' panels on the admin index (registered in EmailsConfig.ready): the outbox for the
Supporter data group, the mailings scheduled or sending, with their progress, for campaign managers."""

from django.db.models import Max
from django.template.loader import render_to_string

from accounts.permissions import may_see_supporter_data

from .mailings import audience_size
from .models import Mailing, OutboxEmail

MAILINGS_SHOWN = 10


def outbox_panel(request) -> str | None:
    if not (may_see_supporter_data(request.user) and request.user.has_perm("emails.view_outboxemail")):
        return None
    outbox = {
        "queued": OutboxEmail.objects.filter(status=OutboxEmail.Status.QUEUED).count(),
        "failed": OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count(),
        "last_delivery": OutboxEmail.objects.aggregate(last=Max("sent_at"))["last"],
    }
    return render_to_string("admin/dashboard/outbox.html", {"outbox": outbox}, request=request)


def mailing_progress(mailing: Mailing) -> dict:
    """How far a mailing is: emails handed to the outbox and sent, out of its audience now."""
    rows = OutboxEmail.objects.filter(key__startswith=f"mailing:{mailing.pk}:")
    handed = rows.count()
    audience = handed if mailing.status == Mailing.Status.SENT else max(audience_size(mailing), handed)
    return {
        "handed": handed,
        "sent": rows.filter(status=OutboxEmail.Status.SENT).count(),
        "audience": audience,
        "percent": round(100 * handed / audience) if audience else 0,
    }


def mailings_panel(request) -> str | None:
    if not request.user.has_perm("emails.view_mailing"):
        return None
    mailings = list(
        Mailing.objects.filter(status__in=[Mailing.Status.SCHEDULED, Mailing.Status.SENDING]).order_by(
            "scheduled_at", "pk"
        )[:MAILINGS_SHOWN]
    )
    for mailing in mailings:
        mailing.progress = mailing_progress(mailing)
    return render_to_string("admin/dashboard/mailings.html", {"mailings": mailings}, request=request)

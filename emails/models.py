"""The outbox: every email the platform sends is a row here first, written in the same transaction
as the change that causes it; workers deliver rows and record each outcome on the row."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # Sent whatever the preferences (the supporter just asked for it): confirmations, account mail.
    TRANSACTIONAL = "transactional", _("Transactional")
    # Sent only with consent, to addresses not suppressed, with one-click unsubscribe.
    CAMPAIGN_UPDATES = "campaign_updates", _("Campaign updates")
    TRACKER_UPDATES = "tracker_updates", _("Tracker updates")
    DIGEST = "digest", _("Digest")
    # Letters from supporters to decision-makers, and notices to staff.
    LETTER = "letter", _("Letter to a decision-maker")
    STAFF = "staff", _("Staff notice")


BULK_CATEGORIES = {Category.CAMPAIGN_UPDATES, Category.TRACKER_UPDATES, Category.DIGEST}


class OutboxEmailQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=OutboxEmail.Status.QUEUED, next_attempt_at__lte=now or timezone.now())


class OutboxEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHHELD = "withheld", _("Withheld")

    key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    to_email = models.EmailField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox_emails"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    # Either a template prefix rendered at send time from the JSON context, or content rendered
    # when the row was written (allauth's mails, whose context holds model instances).
    template = models.CharField(_("template"), max_length=200, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    from_email = models.CharField(_("from"), max_length=300, blank=True)
    reply_to = models.EmailField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("plain-text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    # Set when membership of the audience was the consent (opt_in ticked, follow confirmed), so the
    # send-time check looks only at the suppression list, not at the account's preferences.
    consent_checked = models.BooleanField(_("consent checked by the sender"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # Which delivery run holds the row: a run that stalled past the claim timeout finds its rows
    # taken back (another run holds them under another token) and does not send them a second time.
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    body_deleted_at = models.DateTimeField(_("body deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["to_email", "category", "status"], name="outbox_recipient_idx"),
            models.Index(fields=["sent_at"], name="outbox_sent_at_idx"),
        ]

    def __str__(self):
        return f"{self.key} → {self.to_email} ({self.status})"


class Suppression(models.Model):
    """An address that must receive no bulk email again (unsubscribed, bounced, complained, erased).

    The address is kept as a SHA-256 hash so that an erased account leaves no readable trace;
    `email` is blank for those.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        ERASED = "erased", _("Account deleted")
        STAFF = "staff", _("Added by staff")

    email_hash = models.CharField(_("address hash"), max_length=64)
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    # Blank: every bulk category. Otherwise only that category (an unsubscribe from one list).
    category = models.CharField(_("category"), max_length=32, blank=True, choices=Category.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(fields=["email_hash", "category"], name="emails_suppression_unique"),
        ]

    def __str__(self):
        return self.email or self.email_hash[:12]


class DigestRun(models.Model):
    """One supporter's digest for one period, written with its outbox row (or instead of it when
    there was nothing new), so that a period is never looked at twice for the same supporter."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        EMPTY = "empty", _("Nothing new")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs")
    period = models.CharField(_("period"), max_length=16, help_text=_("2026-11-26 for daily, 2026-W48 for weekly"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    since = models.DateTimeField(_("covers from"))
    until = models.DateTimeField(_("covers until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="emails_digestrun_once_per_period")]

    def __str__(self):
        return f"{self.user_id} {self.period} ({self.outcome})"


class Mailing(models.Model):
    """A one-off email composed by campaign managers in the admin and sent to an audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        SIGNERS = "signers", _("Signers of the chosen actions who opted in")
        FOLLOWERS = "followers", _("Followers of a tracker review")
        CAMPAIGN_UPDATES = "campaign_updates", _("All supporters who opted in to campaign updates")

    subject = models.CharField(_("subject"), max_length=200)
    from_name = models.CharField(_("from name"), max_length=100, blank=True)
    body = models.TextField(
        _("body"), help_text=_("Markdown. Placeholders: {first_name}, {action_link}. Scripts and styles are removed.")
    )
    english_where_missing = models.BooleanField(
        _("send the English where a language has no text"),
        default=False,
        help_text=_("Otherwise sending is refused while recipients read a language whose subject or body is empty."),
    )
    audience = models.CharField(_("audience"), max_length=32, choices=Audience.choices)
    actions = models.ManyToManyField("campaigns.Action", blank=True, related_name="mailings", verbose_name=_("actions"))
    review = models.ForeignKey(
        "tracker.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="mailings"
    )
    # Staff choose these from lists in the admin (emails.admin.MailingForm); empty: any.
    countries = models.JSONField(_("countries"), default=list, blank=True, help_text=_("ISO 3166-1 alpha-2 codes"))
    regions = models.JSONField(_("provinces and territories"), default=list, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=[("en", _("English")), ("fr", _("French"))]
    )
    confirmed_only = models.BooleanField(
        _("confirmed signatures only"),
        default=True,
        help_text=_("Otherwise signers who have not yet confirmed their address by email get it too."),
    )
    opted_in_only = models.BooleanField(
        _("only those who asked for updates"),
        default=True,
        help_text=_(
            "Otherwise signers who did not tick “keep me informed” get it too: only for news of the "
            "action they signed (e.g. its delivery). Unsubscribed addresses never get it."
        ),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_at__isnull=False),
                name="emails_mailing_scheduled_has_time",
            ),
        ]

    def __str__(self):
        return self.subject

"""Campaigns, their actions (petition, pledge, letter), supporters' signatures and the counts.

Counting avoids the hot row: confirming or withdrawing appends a CountDelta; a task folds the
deltas into ActionCount and RegionCount rows in batches (campaigns.services.counts).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# /act/confirm/<token>/ and /act/withdraw/<token>/ share the /act/ prefix with action slugs.
RESERVED_ACTION_SLUGS = ("confirm", "withdraw")


class CampaignQuerySet(models.QuerySet):
    def public(self):
        """Campaigns anyone may open: live ones and archived ones (kept for their links)."""
        return self.filter(status__in=[Campaign.Status.LIVE, Campaign.Status.ARCHIVED])

    def live(self):
        return self.filter(status=Campaign.Status.LIVE).order_by("-featured", "position", "-published_at", "pk")


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences for lists and shares."))
    story = models.TextField(_("story"), blank=True, help_text=_("Markdown. Scripts and styles are removed."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    featured = models.BooleanField(_("featured"), default=False, help_text=_("Shown first on the home page."))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-featured", "position", "-published_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:campaign-detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.status == self.Status.LIVE and self.published_at is None:
            self.published_at = timezone.now()


class ActionQuerySet(models.QuerySet):
    def public(self):
        """Actions anyone may open: live or closed, in a campaign anyone may open."""
        return self.filter(
            status__in=[Action.Status.LIVE, Action.Status.CLOSED],
            campaign__status__in=[Campaign.Status.LIVE, Campaign.Status.ARCHIVED],
        )

    def due_to_close(self, now=None):
        return self.filter(status=Action.Status.LIVE, closes_at__lte=now or timezone.now())


class Action(models.Model):
    class Kind(models.TextChoices):
        PETITION = "petition", _("Petition")
        PLEDGE = "pledge", _("Pledge")
        LETTER = "letter", _("Letter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        CLOSED = "closed", _("Closed")

    class Field(models.TextChoices):
        """Whether the form asks for an optional field, and whether it must be filled in."""

        HIDDEN = "hidden", _("Not asked")
        OPTIONAL = "optional", _("Asked, optional")
        REQUIRED = "required", _("Asked, required")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="actions")
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("The page is /act/<slug>/."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PETITION)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences for lists and shares."))
    ask = models.TextField(
        _("what is asked"), help_text=_("Markdown: the petition's text, or what supporters pledge to do.")
    )
    target = models.CharField(
        _("addressed to"),
        max_length=200,
        blank=True,
        help_text=_("Who is asked, e.g. the Government of Canada. Pledges have none."),
    )
    goal = models.PositiveIntegerField(_("goal"), null=True, blank=True, help_text=_("Leave empty for no goal."))
    points = models.PositiveSmallIntegerField(
        _("points"), default=10, help_text=_("What taking this action is worth to a supporter.")
    )
    ask_country = models.CharField(_("country field"), max_length=8, choices=Field.choices, default=Field.REQUIRED)
    ask_postal_code = models.CharField(
        _("postal code field"), max_length=8, choices=Field.choices, default=Field.OPTIONAL
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_ACTION_SLUGS), name="campaigns_action_slug_not_reserved"
            ),
            models.CheckConstraint(
                condition=~Q(kind="pledge") | Q(target=""), name="campaigns_action_pledge_has_no_target"
            ),
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gt=0), name="campaigns_action_goal_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="campaigns_action_closed_has_date"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:action-detail", args=[self.slug])

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_ACTION_SLUGS:
            errors["slug"] = _("This address is reserved; choose another slug.")
        if self.kind == self.Kind.PLEDGE and self.target:
            errors["target"] = _("A pledge is a supporter's own commitment: leave this empty.")
        if errors:
            raise ValidationError(errors)
        # Closing by hand in the admin records when; reopening forgets it.
        if self.status == self.Status.CLOSED and self.closed_at is None:
            self.closed_at = timezone.now()
        elif self.status != self.Status.CLOSED:
            self.closed_at = None

    def effective_closed_at(self, now=None):
        """When the action stopped taking signatures (its end date counts before the task runs)."""
        if self.closed_at:
            return self.closed_at
        if self.closes_at and self.closes_at <= (now or timezone.now()):
            return self.closes_at
        return None

    def is_open(self, now=None) -> bool:
        return self.status == self.Status.LIVE and self.effective_closed_at(now) is None


class Signature(models.Model):
    """One supporter taking one action. Counted only while confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired unconfirmed")
        INVALID = "invalid", _("Invalidated by staff")
        FRAUD = "fraud", _("Suspected fraud")

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="signatures"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email address"), max_length=254, help_text=_("As typed, trimmed."))
    # The address as one mailbox: case-folded, and without dots or +tags where the provider ignores
    # them. Holds a placeholder hash once the supporter's data is erased.
    email_normalised = models.CharField(_("normalised email address"), max_length=254)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("province, territory or state"), max_length=2, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    opt_in = models.BooleanField(_("opted in to updates"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("why suspected or invalidated"), max_length=200, blank=True)
    ip_hash = models.CharField(_("IP address hash"), max_length=64, blank=True)
    emails_sent = models.PositiveSmallIntegerField(_("emails sent"), default=0)
    created_at = models.DateTimeField(_("signed"), default=timezone.now)
    expires_at = models.DateTimeField(_("confirmation expires"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "email_normalised"], name="campaigns_signature_once_per_address"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="campaigns_signature_confirmed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(expires_at__isnull=False),
                name="campaigns_signature_pending_expires",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "status", "-confirmed_at"], name="campaigns_sig_public_idx"),
            models.Index(fields=["status", "expires_at"], name="campaigns_sig_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.public_name} → {self.action}"

    @property
    def public_name(self) -> str:
        """First name and last initial: all that any public page shows of a supporter."""
        first = self.first_name.strip()
        initial = self.last_name.strip()[:1].upper()
        if not first:
            return str(_("A supporter"))
        return f"{first} {initial}." if initial else first

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.CONFIRMED


class CountDelta(models.Model):
    """+1 or -1 on an action's count, appended in the transaction that confirms or withdraws.

    Appending never contends for a row; counts_fold turns batches of these into count updates.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=2, blank=True)
    delta = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pending count change")
        verbose_name_plural = _("pending count changes")
        constraints = [
            models.CheckConstraint(condition=Q(delta__in=[1, -1]), name="campaigns_countdelta_unit"),
        ]

    def __str__(self):
        return f"{self.action_id}: {self.delta:+d}"


class ActionCount(models.Model):
    """An action's folded count of confirmed signatures."""

    action = models.OneToOneField(Action, on_delete=models.CASCADE, primary_key=True, related_name="count_row")
    count = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action count")
        verbose_name_plural = _("action counts")

    def __str__(self):
        return f"{self.action_id}: {self.count}"


class RegionCount(models.Model):
    """An action's folded count for one country and province/territory ("" when not known)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="region_counts")
    country = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=2, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("count by region")
        verbose_name_plural = _("counts by region")
        constraints = [
            models.UniqueConstraint(fields=["action", "country", "region"], name="campaigns_regioncount_unique"),
        ]

    def __str__(self):
        return f"{self.action_id} {self.country}-{self.region}: {self.count}"


class CountHistory(models.Model):
    """An action's count at the end of each hour (the latest fold within it)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="count_history")
    hour = models.DateTimeField()
    count = models.IntegerField()

    class Meta:
        verbose_name = _("hourly count")
        verbose_name_plural = _("hourly counts")
        ordering = ["action", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["action", "hour"], name="campaigns_counthistory_unique"),
        ]

    def __str__(self):
        return f"{self.action_id} {self.hour:%Y-%m-%d %H}h: {self.count}"

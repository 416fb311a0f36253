"""Campaigns, their actions (petition, pledge, letter), supporters' signatures and the counts.

Counting avoids the hot row: confirming or withdrawing appends a CountDelta; a task folds the
deltas into ActionCount and RegionCount rows in batches (campaigns.services.counts).
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalise_name
from core.reversing import reverse_cached

# /act/confirm/<token>/ and /act/withdraw/<token>/ share the /act/ prefix with action slugs.
RESERVED_ACTION_SLUGS = ("confirm", "withdraw")
# Action.letter_recipient's value for letters addressed to each supporter's own MP.
LETTERS_TO_MP = "mp"


class CampaignQuerySet(models.QuerySet):
    def public(self):
        """Campaigns anyone may open: live ones and archived ones (kept for their links)."""
        return self.filter(status__in=[Campaign.Status.LIVE, Campaign.Status.ARCHIVED])

    def live(self):
        return self.filter(status=Campaign.Status.LIVE).order_by("-featured", "position", "-published_at", "pk")

    def due_to_publish(self, now=None):
        """Drafts whose scheduled publication time has come."""
        return self.filter(status=Campaign.Status.DRAFT, publish_at__lte=now or timezone.now())


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
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Schedule: a draft is published at this time (within a minute). Leave empty to publish by hand."),
    )
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
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("The page is /act/ followed by this slug.")
    )
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
    letter_target = models.ForeignKey(
        "Target",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("letters go to"),
        help_text=_("Letters only: the decision-maker who receives every supporter's letter."),
    )
    letter_recipient = models.CharField(
        _("letters are addressed to"),
        max_length=16,
        choices=[("target", _("The decision-maker below")), ("mp", _("Each supporter's own MP"))],
        default="target",
        help_text=_(
            "Each supporter's own MP: Rally finds the Member of Parliament from the supporter's postal code "
            "(the form then asks for a Canadian postal code)."
        ),
    )
    letter_subject = models.CharField(
        _("letter subject"), max_length=200, blank=True, help_text=_("Letters only: the subject of every letter.")
    )
    letter_template = models.TextField(
        _("letter template"),
        blank=True,
        help_text=_("Letters only: plain text the supporter starts from and may edit before sending."),
    )
    share_text = models.CharField(
        _("sharing text"),
        max_length=200,
        blank=True,
        help_text=_("What a share says before the link. Leave empty to use the title."),
    )
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
            models.CheckConstraint(
                condition=~Q(kind="letter") | Q(letter_target__isnull=False) | Q(letter_recipient="mp"),
                name="campaigns_action_letter_has_target",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # Remembered per slug: a signing request builds it more than once.
        return reverse_cached("campaigns:action-detail", self.slug)

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_ACTION_SLUGS:
            errors["slug"] = _("This address is reserved; choose another slug.")
        if self.kind == self.Kind.PLEDGE and self.target:
            errors["target"] = _("A pledge is a supporter's own commitment: leave this empty.")
        errors.update(self._letter_errors())
        try:
            campaign = self.campaign  # in the admin's inline, the campaign being saved with it
        except Campaign.DoesNotExist:
            campaign = None
        if self.closes_at and campaign is not None and campaign.publish_at and self.closes_at <= campaign.publish_at:
            errors["closes_at"] = _(
                "This end date is before the campaign's publication (%(start)s): choose a later one."
            ) % {"start": timezone.localtime(campaign.publish_at).strftime("%Y-%m-%d %H:%M")}
        if errors:
            raise ValidationError(errors)
        if self.kind == self.Kind.LETTER and not self.target:
            if self.to_supporters_mp:
                self.target = str(_("Each supporter's Member of Parliament"))
            elif self.letter_target is not None:
                self.target = self.letter_target.display_name[:200]
        # Closing by hand in the admin records when; reopening forgets it.
        if self.status == self.Status.CLOSED and self.closed_at is None:
            self.closed_at = timezone.now()
        elif self.status != self.Status.CLOSED:
            self.closed_at = None

    def _letter_errors(self) -> dict:
        if self.kind != self.Kind.LETTER:
            if self.letter_target_id:
                return {"letter_target": _("Only letters have a decision-maker to send them to: leave this empty.")}
            return {}
        errors = {}
        if self.to_supporters_mp:
            if self.letter_target_id:
                errors["letter_target"] = _("Letters go to each supporter's MP: leave this empty.")
            if self.ask_postal_code != self.Field.REQUIRED:
                # The MP is found from the postal code: the form must ask for it.
                self.ask_postal_code = self.Field.REQUIRED
        elif not self.letter_target_id:
            errors["letter_target"] = _("Choose the decision-maker who receives the letters.")
        if not self.letter_subject.strip():
            errors["letter_subject"] = _("Letters need a subject.")
        if not self.letter_template.strip():
            errors["letter_template"] = _("Write the letter supporters start from.")
        elif len(self.letter_template) > settings.LETTER_MAX_LENGTH:
            errors["letter_template"] = _("A letter can be at most %(limit)s characters long.") % {
                "limit": settings.LETTER_MAX_LENGTH
            }
        return errors

    @property
    def to_supporters_mp(self) -> bool:
        """A letter action whose letters go to each supporter's own MP (found from the postal code)."""
        return self.kind == self.Kind.LETTER and self.letter_recipient == LETTERS_TO_MP

    def effective_closed_at(self, now=None):
        """When the action stopped taking signatures (its end date counts before the task runs)."""
        if self.closed_at:
            return self.closed_at
        if self.closes_at and self.closes_at <= (now or timezone.now()):
            return self.closes_at
        return None

    def is_open(self, now=None) -> bool:
        return self.status == self.Status.LIVE and self.effective_closed_at(now) is None

    def unchanged_sql(self) -> tuple[str, list]:
        """A query yielding one row while the database has this action and its campaign as this
        copy has them (every save moves their updated_at), and its parameters: how a copy kept in
        a cache is checked before anything is written with it."""
        # Table names come from the models; every value is a bound parameter.
        sql = (
            f"SELECT 1 FROM {Action._meta.db_table} a JOIN {Campaign._meta.db_table} c"  # noqa: S608
            " ON c.id = a.campaign_id WHERE a.id = %s AND a.updated_at = %s AND c.updated_at = %s"
        )
        adapt = connection.ops.adapt_datetimefield_value
        return sql, [self.pk, adapt(self.updated_at), adapt(self.campaign.updated_at)]


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
        permissions = [("export_signature", _("Can export signatures as CSV"))]
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
        """First name and last initial: all that any public page shows of a supporter, as plain
        text in its normal form (names taken before the forms normalised them included)."""
        first = normalise_name(self.first_name)
        initial = normalise_name(self.last_name)[:1].upper()
        if not first:
            return str(_("A supporter"))
        return f"{first} {initial}." if initial else first

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.CONFIRMED


class SuspectedFraud(Signature):
    """Signatures held as suspected fraud, reviewed on their own admin screen."""

    class Meta:
        proxy = True
        verbose_name = _("suspected fraud")
        verbose_name_plural = _("suspected fraud")


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


# Letters to decision-makers ------------------------------------------------------------------


def default_letters_per_hour() -> int:
    return settings.LETTER_TARGET_MAX_PER_HOUR


class Target(models.Model):
    """A decision-maker letters are sent to, e.g. the Minister of Immigration, Refugees and Citizenship.

    The address never appears on a public page; only the name and title do."""

    class Delivery(models.TextChoices):
        EACH = "each", _("One email per letter (rate-limited)")
        DAILY = "daily", _("One email a day with every letter of the day")

    name = models.CharField(_("name"), max_length=200, help_text=_("As letters address them."))
    title = models.CharField(_("title or office"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), max_length=254, help_text=_("Never shown publicly."))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the few words Rally adds around the letters."),
    )
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.EACH)
    letters_per_hour = models.PositiveIntegerField(
        _("letters per hour at most"),
        default=default_letters_per_hour,
        validators=[MinValueValidator(1)],
        help_text=_("One email per letter: letters beyond this wait in the outbox; none is dropped."),
    )
    # When the next single letter may leave: each one moves it on by an hour / letters_per_hour.
    next_letter_at = models.DateTimeField(_("next letter may leave at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("decision-maker")
        verbose_name_plural = _("decision-makers")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(letters_per_hour__gt=0), name="campaigns_target_rate_positive"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class TargetAddressChange(models.Model):
    """A change of a target's email address, and the second person who confirmed it.

    Letters carry supporters' names, postal codes and messages, so a new address is not trusted on
    one person's word: until someone else confirms it, the target's letters wait (docs/security.md)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="address_changes", verbose_name=_("decision-maker")
    )
    old_email = models.EmailField(_("old address"), max_length=254)
    new_email = models.EmailField(_("new address"), max_length=254)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("address change")
        verbose_name_plural = _("address changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(confirmed_at__isnull=True),
                name="campaigns_target_one_pending_address_change",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("changed_by")),
                name="campaigns_target_address_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.target}: {self.old_email} → {self.new_email}"


class Letter(models.Model):
    """The text of a letter action's signature; it goes to the target once the signature counts."""

    signature = models.OneToOneField(
        Signature, on_delete=models.CASCADE, primary_key=True, related_name="letter", verbose_name=_("signature")
    )

    class Hold(models.TextChoices):
        """Why a letter to a supporter's MP is not addressed yet ("" once it is)."""

        NONE = "", _("Addressed")
        LOOKUP = "lookup", _("Waiting for the postal code lookup")
        NO_EMAIL = "no_email", _("The MP has no email address in the directory")
        NO_RIDING = "no_riding", _("The postal code's riding is unknown: choose the MP")

    # Empty while a letter to the supporter's MP waits (see hold); set for every other letter.
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, null=True, blank=True, related_name="letters", verbose_name=_("to")
    )
    representative = models.ForeignKey(
        "Representative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("member of Parliament"),
    )
    riding = models.CharField(_("supporter's riding"), max_length=200, blank=True)
    hold = models.CharField(_("held"), max_length=16, choices=Hold.choices, default=Hold.NONE, blank=True)
    message = models.TextField(_("letter"))
    # Handed to the outbox: alone (key letter:<signature id>) or in a daily bundle (bundle_key).
    queued_at = models.DateTimeField(_("handed to the outbox"), null=True, blank=True)
    bundle_key = models.CharField(_("daily bundle"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [
            models.Index(fields=["target", "queued_at"], name="campaigns_letter_waiting_idx"),
            models.Index(fields=["hold"], name="campaigns_letter_hold_idx", condition=~Q(hold="")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold="", target__isnull=False) | (~Q(hold="") & Q(target__isnull=True)),
                name="campaigns_letter_addressed_or_held",
            ),
        ]

    def __str__(self):
        return f"{self.signature_id} → {self.target_id or self.get_hold_display()}"


# The directory of representatives (Open North's Represent API) ---------------------------------

HOUSE_OF_COMMONS = "house-of-commons"


class RepresentativeQuerySet(models.QuerySet):
    def mps(self):
        """Members of Parliament in office: whom a supporter may write to."""
        return self.filter(representative_set=HOUSE_OF_COMMONS, in_office=True)


class Representative(models.Model):
    """An elected representative, imported from a Represent representative set. Staff may correct
    any directory field; the fields they corrected (locked_fields) are left alone by later imports."""

    # The fields an import writes, and staff may correct.
    DIRECTORY_FIELDS = ("name", "district_name", "party_name", "province", "email", "office", "photo_url", "url")

    representative_set = models.SlugField(_("representative set"), max_length=100, default=HOUSE_OF_COMMONS)
    # Who this entry is at the source (riding and name as imported): never edited, so a corrected
    # name still matches its entry at the next import.
    source_key = models.CharField(_("source key"), max_length=400, editable=False)
    name = models.CharField(_("name"), max_length=200)
    district_name = models.CharField(_("riding"), max_length=200)
    elected_office = models.CharField(_("office held"), max_length=100, blank=True)
    party_name = models.CharField(_("party"), max_length=200, blank=True)
    province = models.CharField(_("province or territory"), max_length=2, blank=True)
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    office = models.TextField(_("office"), blank=True, help_text=_("The constituency office's address and phone."))
    photo_url = models.URLField(_("photo URL"), max_length=500, blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    source = models.CharField(_("imported from"), max_length=500, blank=True)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    in_office = models.BooleanField(_("in office"), default=True)
    locked_fields = models.JSONField(
        _("corrected by staff"),
        default=list,
        blank=True,
        help_text=_("Fields staff corrected: the import leaves them as they are."),
    )
    # The decision-maker its letters go through (rate limit, daily bundle), made with its first letter.
    target = models.OneToOneField(
        Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="representative", editable=False
    )

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["district_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["representative_set", "source_key"], name="campaigns_representative_unique_source"
            ),
        ]
        indexes = [
            models.Index(fields=["representative_set", "in_office", "district_name"], name="campaigns_rep_set_idx")
        ]

    def __str__(self):
        return f"{self.name} ({self.district_name})"

    @property
    def summary(self) -> str:
        """Name (riding, party), as the action form shows the supporter's MP."""
        details = ", ".join(part for part in (self.district_name, self.party_name) if part)
        return f"{self.name} ({details})" if details else self.name


class PostalCodeLookup(models.Model):
    """What Represent answered for a postal code: cached for POSTAL_CODE_LOOKUP_DAYS, so each code
    is asked once and a viral action does not hammer the service."""

    code = models.CharField(_("postal code"), max_length=6, primary_key=True, help_text=_("Upper case, no space."))
    found = models.BooleanField(_("known to the service"), default=True)
    # The ridings (district names) of the House of Commons the code falls in; the first is the
    # one holding the code's centroid.
    ridings = models.JSONField(_("ridings"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    province = models.CharField(_("province or territory"), max_length=2, blank=True)
    fetched_at = models.DateTimeField(_("looked up"), default=timezone.now)

    class Meta:
        verbose_name = _("postal code lookup")
        verbose_name_plural = _("postal code lookups")

    def __str__(self):
        return self.code


# Thresholds and responses ------------------------------------------------------------------------


class Threshold(models.Model):
    """A count that means something, e.g. 500 signatures: the House of Commons certifies an e-petition."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("action"))
    count = models.PositiveIntegerField(_("count"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Certified as an e-petition"))
    consequence = models.TextField(
        _("what happens then"),
        blank=True,
        help_text=_("Shown on the action page, e.g. the government must answer within 45 days. Markdown."),
    )
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True, editable=False)
    signers_notified_at = models.DateTimeField(_("signers told"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["action", "count"]
        constraints = [
            models.UniqueConstraint(fields=["action", "count"], name="campaigns_threshold_unique_count"),
            models.CheckConstraint(condition=Q(count__gt=0), name="campaigns_threshold_count_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.count})"


class TargetResponse(models.Model):
    """What the decision-maker answered, shown on the action page and emailed once to opted-in signers."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responses", verbose_name=_("action"))
    responder = models.CharField(
        _("from"),
        max_length=200,
        help_text=_("Who answered, e.g. the Minister of Immigration, Refugees and Citizenship."),
    )
    title = models.CharField(_("headline"), max_length=200)
    body = models.TextField(_("response"), help_text=_("Markdown. Scripts and styles are removed."))
    responded_on = models.DateField(_("answered on"), default=timezone.localdate)
    published = models.BooleanField(_("shown on the action page"), default=True)
    emailed_at = models.DateTimeField(_("emailed to signers"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-responded_on", "-pk"]

    def __str__(self):
        return self.title


# Staff audit log ----------------------------------------------------------------------------------


class AuditEntry(models.Model):
    """Who did what to supporters' data or the counts, and when: readable by the Supporter data group."""

    class Kind(models.TextChoices):
        INVALIDATE = "invalidate", _("Invalidated signatures")
        INVALIDATE_DOMAIN = "invalidate_domain", _("Invalidated an email domain's signatures")
        RELEASE = "release", _("Released suspected fraud")
        EXPORT = "export", _("Exported signatures")
        MILESTONE_EMAIL = "milestone_email", _("Told signers about a threshold")
        RESPONSE_EMAIL = "response_email", _("Emailed a response to signers")
        GOAL = "goal", _("Raised a goal")
        PUBLISH = "publish", _("Published")
        CLOSE = "close", _("Closed")
        ARCHIVE = "archive", _("Archived")
        RULES = "rules", _("Changed signing limits or lists")
        TARGET_ADDRESS = "target_address", _("Changed a decision-maker's address")
        TARGET_ADDRESS_CONFIRM = "target_address_confirm", _("Confirmed a decision-maker's address")
        RESTORE = "restore", _("Reversed an invalidation")
        MAILING_SEND = "mailing_send", _("Sent a mailing")
        MAILING_SCHEDULE = "mailing_schedule", _("Scheduled a mailing")
        MAILING_CANCEL = "mailing_cancel", _("Cancelled a mailing")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept when the account is deleted, so the log still says who.
    user_email = models.CharField(_("who (address)"), max_length=254, blank=True)
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("action")
    )
    rows = models.PositiveIntegerField(_("rows"), default=0, help_text=_("Signatures changed or exported."))
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email}: {self.get_kind_display()}"


# Signing limits and lists, editable while the site runs (campaigns.abuse.signing_rules reads them) ---


class SigningLimits(models.Model):
    """The per-IP limits: one row, first filled in from the settings (README "Default limits")."""

    burst_limit = models.PositiveIntegerField(_("burst: signatures per IP"), help_text=_("0 turns the limit off."))
    burst_window_seconds = models.PositiveIntegerField(_("burst: window in seconds"), validators=[MinValueValidator(1)])
    sustained_limit = models.PositiveIntegerField(_("sustained: signatures per IP"), help_text=_("0 turns it off."))
    sustained_window_seconds = models.PositiveIntegerField(
        _("sustained: window in seconds"), validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("signing limits")
        verbose_name_plural = _("signing limits")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="campaigns_signinglimits_single_row"),
            models.CheckConstraint(
                condition=Q(burst_window_seconds__gt=0) & Q(sustained_window_seconds__gt=0),
                name="campaigns_signinglimits_windows_positive",
            ),
        ]

    def __str__(self):
        return str(_("Signing limits"))


class NetworkRule(models.Model):
    class Kind(models.TextChoices):
        ALLOW = "allow", _("Allowed: exempt from the per-IP limits (a campus, an office, a rally's wifi)")
        BLOCK = "block", _("Blocked: signatures kept as suspected fraud")

    kind = models.CharField(_("rule"), max_length=8, choices=Kind.choices)
    network = models.CharField(
        _("address or network"), max_length=64, help_text=_("e.g. 203.0.113.7 or 203.0.113.0/24")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("IP address rule")
        verbose_name_plural = _("IP address rules")
        ordering = ["kind", "network"]
        constraints = [models.UniqueConstraint(fields=["kind", "network"], name="campaigns_networkrule_unique")]

    def __str__(self):
        return f"{self.get_kind_display().split(':')[0]}: {self.network}"

    def clean(self):
        super().clean()

        try:
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
        except ValueError:
            raise ValidationError({"network": _("Enter an IP address or a network such as 203.0.113.0/24.")}) from None


class EmailDomainRule(models.Model):
    class Kind(models.TextChoices):
        BLOCK = "block", _("Blocked: signatures kept as suspected fraud (subdomains too)")
        ALIAS_INSENSITIVE = "alias", _("Ignores dots and +tags: one mailbox however the address is written")

    kind = models.CharField(_("rule"), max_length=8, choices=Kind.choices)
    domain = models.CharField(_("email domain"), max_length=253, help_text=_("e.g. mailinator.com"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("email domain rule")
        verbose_name_plural = _("email domain rules")
        ordering = ["kind", "domain"]
        constraints = [models.UniqueConstraint(fields=["kind", "domain"], name="campaigns_emaildomainrule_unique")]

    def __str__(self):
        return f"{self.get_kind_display().split(':')[0]}: {self.domain}"

    def clean(self):
        super().clean()

        self.domain = self.domain.strip().lstrip("@").rstrip(".").casefold()
        try:
            validate_email(f"someone@{self.domain}")
        except ValidationError:
            raise ValidationError({"domain": _("Enter a domain such as example.org, without the @.")}) from None


class InvalidationReason(models.TextChoices):
    """Why staff set signatures aside: the short list asked for on every invalidation."""

    DUPLICATE = "duplicate", _("Duplicate of another signature")
    FAKE = "fake", _("Fake or automated")
    REQUESTED = "requested", _("The supporter asked for it")
    INELIGIBLE = "ineligible", _("Not eligible for this action")
    OTHER = "other", _("Other: write the reason")


class InvalidatedSignature(models.Model):
    """One signature an invalidation set aside, with the state it had: what a reversal restores."""

    entry = models.ForeignKey(
        AuditEntry, on_delete=models.CASCADE, related_name="invalidated", verbose_name=_("audit log entry")
    )
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+", verbose_name=_("signature"))
    previous_status = models.CharField(_("status before"), max_length=16, choices=Signature.Status.choices)
    previous_reason = models.CharField(_("reason before"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("invalidated signature")
        verbose_name_plural = _("invalidated signatures")
        constraints = [
            models.UniqueConstraint(fields=["entry", "signature"], name="campaigns_invalidated_once_per_entry"),
        ]

    def __str__(self):
        return f"#{self.entry_id}: {self.signature_id} ({self.previous_status})"

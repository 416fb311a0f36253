"""The policy tracker: reviews of a designated safe third country, their statutory factors, and the
sourced evidence (developments, figures, statements) the public follows."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Second path segments under /tracker/ that are routes of their own, never review slugs.
RESERVED_SLUGS = {"follow", "unfollow"}
QUOTE_MAX_LENGTH = 600
EDITOR_FALLBACK_NAME = _("Tracker editor")

http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter a full web address starting with http:// or https://.")
)


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is used by the tracker itself; choose another."), params={"slug": value})


def editor_display_name(user) -> str:
    """What the public sees of an editor: their name, never their email address."""
    if user is None:
        return str(EDITOR_FALLBACK_NAME)
    return user.get_full_name().strip() or str(EDITOR_FALLBACK_NAME)


def _new_follow_token() -> str:
    return secrets.token_urlsafe(24)


def _http_url_check(field: str, name: str, *, allow_blank: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=http_url_validator.message)


class Source(models.Model):
    """Where a claim comes from. Developments, figures and statements each cite at least one."""

    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("web address"), max_length=500, validators=[http_url_validator])
    published_on = models.DateField(_("date published"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. “figures from the agency, as reported by CBC”")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "publisher", "title"]
        constraints = [
            _http_url_check("url", "tracker_source_url_http"),
            models.CheckConstraint(condition=~Q(publisher=""), name="tracker_source_publisher_required"),
            models.CheckConstraint(condition=~Q(title=""), name="tracker_source_title_required"),
        ]

    def __str__(self):
        return f"{self.publisher}: {self.title}"

    def clean_fields(self, exclude=None):
        # Stripped before validation, so that a pasted address with a stray space is accepted.
        self.url = (self.url or "").strip()
        self.publisher = (self.publisher or "").strip()
        self.title = (self.title or "").strip()
        super().clean_fields(exclude=exclude)


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class Review(models.Model):
    """The continuing review (IRPA s.102(3)) of one designated country under one agreement."""

    class Status(models.TextChoices):
        DESIGNATED = "designated", _("Designated")
        UNDER_REVIEW = "under_review", _("Under review")
        SUSPENSION_CALLED_FOR = "suspension_called_for", _("Suspension called for")
        SUSPENDED = "suspended", _("Suspended")
        BEFORE_THE_COURTS = "before_the_courts", _("Before the courts")

    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[validate_not_reserved])
    title = models.CharField(_("title"), max_length=200)
    country_name = models.CharField(_("country under review"), max_length=100)
    country_code = models.CharField(_("country code"), max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. US"))
    agreement = models.CharField(_("agreement"), max_length=200)
    agreement_in_force_on = models.DateField(_("agreement in force since"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    legal_basis_url = models.CharField(
        _("legal basis web address"), max_length=500, blank=True, validators=[http_url_validator]
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.DESIGNATED)
    status_changed_on = models.DateField(_("status since"), default=timezone.localdate)
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, help_text=_("Empty: a draft only staff can preview.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    related_actions = models.ManyToManyField(
        "campaigns.Action",
        blank=True,
        related_name="tracker_reviews",
        verbose_name=_("related campaign actions"),
        help_text=_("Shown with their form on the review's page, e.g. the petition to suspend the agreement."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["position", "title"]
        constraints = [
            _http_url_check("legal_basis_url", "tracker_review_legal_basis_url_http", allow_blank=True),
            models.CheckConstraint(
                condition=~Q(slug__in=sorted(RESERVED_SLUGS)), name="tracker_review_slug_not_reserved"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracker:review", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    def clean(self):
        super().clean()
        self.country_code = (self.country_code or "").upper()


class ReviewStatusChange(models.Model):
    """One step of a review's status history; rows are only ever added."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Review.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Review.Status.choices)
    effective_on = models.DateField(_("since"))
    reason = models.TextField(_("why"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["-effective_on", "-recorded_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="tracker_status_change_reason_required")]

    def __str__(self):
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"

    @property
    def changed_by_name(self) -> str:
        return editor_display_name(self.changed_by)


class Assessment(models.TextChoices):
    MEETS = "meets", _("Meets")
    CONCERNS = "concerns", _("Concerns")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet")
    NOT_ASSESSED = "not_assessed", _("Not yet assessed")


class EditorRole(models.TextChoices):
    """The role in which someone assessed a factor, shown to the public instead of an address."""

    TRACKER_EDITOR = "tracker_editor", _("a tracker editor")
    ADMINISTRATOR = "administrator", _("an administrator")
    STAFF = "staff", _("a staff member")


class Factor(models.Model):
    """One factor of s.102(2) that the review weighs, with the tracker's current assessment."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="factors")
    paragraph = models.CharField(_("paragraph"), max_length=8, help_text=_("The letter in s.102(2), e.g. a"))
    title = models.CharField(_("title"), max_length=200)
    statutory_text = models.TextField(_("what the Act asks"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    assessment = models.CharField(
        _("assessment"), max_length=16, choices=Assessment.choices, default=Assessment.NOT_ASSESSED
    )
    summary = models.TextField(_("reasoned summary"), blank=True, help_text=_("Markdown."))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by_role = models.CharField(_("assessed by"), max_length=32, choices=EditorRole.choices, blank=True)

    class Meta:
        verbose_name = _("factor")
        verbose_name_plural = _("factors")
        ordering = ["review", "position", "paragraph"]
        constraints = [
            models.UniqueConstraint(fields=["review", "paragraph"], name="tracker_factor_unique_paragraph"),
            models.CheckConstraint(condition=~Q(paragraph=""), name="tracker_factor_paragraph_required"),
        ]

    def __str__(self):
        return f"102(2)({self.paragraph}) {self.title}"


class FactorAssessment(models.Model):
    """One change of a factor's assessment: who, when, from what to what, and why. Append-only."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="assessments")
    from_assessment = models.CharField(_("from"), max_length=16, choices=Assessment.choices)
    to_assessment = models.CharField(_("to"), max_length=16, choices=Assessment.choices)
    summary = models.TextField(_("summary at the time"), blank=True)
    reason = models.TextField(_("why"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment change")
        verbose_name_plural = _("assessment history")
        ordering = ["-assessed_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="tracker_assessment_reason_required")]

    def __str__(self):
        return f"{self.factor}: {self.get_from_assessment_display()} → {self.get_to_assessment_display()}"

    @property
    def assessed_by_name(self) -> str:
        return editor_display_name(self.assessed_by)


class DevelopmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Development.State.PUBLISHED)


class Development(models.Model):
    """A dated, sourced event bearing on one or more factors. Drafts are visible to staff only."""

    class Kind(models.TextChoices):
        POLICY_CHANGE = "policy_change", _("Policy change")
        STATISTIC = "statistic", _("Statistic")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement")
        COURT_RULING = "court_ruling", _("Court ruling")
        INTERNATIONAL_BODY = "international_body", _("International body's action")
        GOVERNMENT_RESPONSE = "government_response", _("Government response")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="developments")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, blank=True, help_text=_("Made from the title when empty."))
    summary = models.TextField(_("summary"), help_text=_("Markdown."))
    occurred_on = models.DateField(_("date"))
    factors = models.ManyToManyField(Factor, blank=True, related_name="developments", verbose_name=_("factors"))
    sources = models.ManyToManyField(Source, related_name="developments", verbose_name=_("sources"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Followers hear of developments in hourly batches (see services.notifications).
    notification_batch = models.ForeignKey(
        "NotificationBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="developments"
    )
    notified_at = models.DateTimeField(_("followers notified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DevelopmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("development")
        verbose_name_plural = _("developments")
        ordering = ["-occurred_on", "-published_at", "-id"]
        indexes = [models.Index(fields=["review", "state", "occurred_on"], name="tracker_dev_timeline_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="tracker_development_published_has_date",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="tracker_development_title_required"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:80].strip("-") or "development"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:development", args=[self.review.slug, self.pk, self.slug or "development"])

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Correction(models.Model):
    """A correction to a published development, shown with its date under the text it corrects."""

    development = models.ForeignKey(Development, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(_("correction"))
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="tracker_correction_text_required")]

    def __str__(self):
        return self.text[:80]


class Figure(models.Model):
    """A statistic with its period, place and source. Figures sharing a series are charted together."""

    class Qualifier(models.TextChoices):
        EXACT = "", _("exactly")
        ABOUT = "about", _("about")
        NEARLY = "nearly", _("nearly")
        AT_LEAST = "at_least", _("at least")
        MORE_THAN = "more_than", _("more than")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="figures")
    label = models.CharField(_("what is counted"), max_length=200)
    series = models.CharField(
        _("series"), max_length=120, blank=True, help_text=_("Figures with the same series name share one chart.")
    )
    qualifier = models.CharField(_("qualifier"), max_length=16, choices=Qualifier.choices, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=60, help_text=_("e.g. children, claims, %"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100)
    note = models.TextField(_("note"), blank=True)
    is_key = models.BooleanField(_("key figure"), default=True, help_text=_("Shown on the review's page."))
    factors = models.ManyToManyField(Factor, blank=True, related_name="figures", verbose_name=_("factors"))
    sources = models.ManyToManyField(Source, related_name="figures", verbose_name=_("sources"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["series", "period_start", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="tracker_figure_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(condition=~Q(label=""), name="tracker_figure_label_required"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class Statement(models.Model):
    """Something a public figure said about the agreement, with their stance and the source."""

    class Stance(models.TextChoices):
        SUPPORTS_SUSPENSION = "supports_suspension", _("Supports suspension")
        OPPOSES_SUSPENSION = "opposes_suspension", _("Opposes suspension")
        NEUTRAL = "neutral", _("Neutral or no position")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="statements")
    speaker_name = models.CharField(_("speaker"), max_length=200)
    speaker_role = models.CharField(_("role"), max_length=200, blank=True)
    speaker_party = models.CharField(_("party"), max_length=100, blank=True)
    said_on = models.DateField(_("date"))
    quote = models.TextField(_("quote"), validators=[MaxLengthValidator(QUOTE_MAX_LENGTH)])
    quote_language = models.CharField(
        _("language of the quote"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("A quote stays in the language it was said in."),
    )
    quote_translation = models.TextField(
        _("translation of the quote"),
        blank=True,
        help_text=_("Optional: the quote in the other language, shown beside it and marked as a translation."),
    )
    context = models.CharField(_("where it was said"), max_length=300, blank=True)
    stance = models.CharField(_("stance"), max_length=32, choices=Stance.choices, default=Stance.NEUTRAL)
    factors = models.ManyToManyField(Factor, blank=True, related_name="statements", verbose_name=_("factors"))
    sources = models.ManyToManyField(Source, related_name="statements", verbose_name=_("sources"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-said_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(speaker_name=""),
                name="tracker_statement_speaker_required",
                violation_error_message=_("Say who made the statement."),
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="tracker_statement_quote_required"),
        ]

    def __str__(self):
        return f"{self.speaker_name}, {self.said_on}"

    def clean(self):
        super().clean()
        self.speaker_name = (self.speaker_name or "").strip()
        if not self.speaker_name:
            raise ValidationError({"speaker_name": _("Say who made the statement.")})


class FollowQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class Follow(models.Model):
    """A supporter following a review: by account (confirmed at once) or by email (confirmed by link).

    A confirmed follow is the supporter's consent to the review's news (recorded in ConsentRecord).
    """

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("An email when there is news (at most one an hour)")
        DIGEST = "digest", _("Only in my digest")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="tracker_follows"
    )
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    language = models.CharField(_("language"), max_length=8, default="en")
    token = models.CharField(max_length=64, unique=True, default=_new_follow_token, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="tracker_follow_user_or_email",
            ),
            models.UniqueConstraint(
                fields=["review", "user"], condition=Q(user__isnull=False), name="tracker_follow_unique_user"
            ),
            models.UniqueConstraint(
                fields=["review", "email"], condition=Q(user__isnull=True), name="tracker_follow_unique_email"
            ),
            # The digest is an account's; a follower by email alone would otherwise get nothing.
            models.CheckConstraint(
                condition=Q(delivery="immediate") | Q(user__isnull=False), name="tracker_follow_digest_needs_account"
            ),
        ]

    def __str__(self):
        return f"{self.review}: {self.pk}"

    @property
    def address(self) -> str:
        return self.user.email if self.user_id else self.email


class NotificationBatch(models.Model):
    """The followers' email for one review and one hour window: every development published in the
    window goes out together once the window has closed. The key is `tracker:<review>:<window>`."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notification_batches")
    key = models.CharField(_("key"), max_length=64, unique=True)
    window = models.CharField(_("hour window (UTC)"), max_length=10, help_text=_("YYYYMMDDHH"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("emails written"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification batch")
        verbose_name_plural = _("notification batches")
        ordering = ["-due_at"]

    def __str__(self):
        return self.key

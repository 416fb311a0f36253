"""Supporters' accounts: the user (email is the login), email preferences and consent records."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The three staff groups; later apps give them their permissions in data migrations.
GROUP_CAMPAIGN_MANAGERS = "Campaign managers"
GROUP_TRACKER_EDITORS = "Tracker editors"
GROUP_SUPPORTER_DATA = "Supporter data"
STAFF_GROUPS = (GROUP_CAMPAIGN_MANAGERS, GROUP_TRACKER_EDITORS, GROUP_SUPPORTER_DATA)


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, email):
        return self.get(email__iexact=self.normalize_email(email))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A supporter or a staff member. The email address is the login."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    username = None
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"))
    region = models.CharField(_("province, territory or state"), max_length=2, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Toronto")
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)


class EmailPreferences(models.Model):
    """What a supporter chose to receive. Every change is also written to ConsentRecord."""

    class DigestFrequency(models.TextChoices):
        OFF = "off", _("Off")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    campaign_updates = models.BooleanField(_("campaign updates"), default=False)
    tracker_updates = models.BooleanField(_("tracker updates"), default=False)
    digest_frequency = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self):
        return str(self.user)


class ConsentRecord(models.Model):
    """Proof of express consent (or its withdrawal): who, what, when, where, and the exact words shown.

    Rows are only ever added. Canada's anti-spam law puts the burden of proving consent on the sender.
    """

    class Topic(models.TextChoices):
        CAMPAIGN_UPDATES = "campaign_updates", _("Campaign updates")
        TRACKER_UPDATES = "tracker_updates", _("Tracker updates")
        DIGEST = "digest", _("Digest")
        ACTION_OPT_IN = "action_opt_in", _("Opt-in when taking an action")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_records"
    )
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    granted = models.BooleanField(_("granted"))
    value = models.CharField(_("value"), max_length=32, blank=True, help_text=_("e.g. the digest frequency chosen"))
    wording = models.TextField(_("wording shown"))
    source = models.CharField(_("where"), max_length=200, help_text=_("the page or link where it happened"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "topic"])]

    def __str__(self):
        return f"{self.get_topic_display()}: {'granted' if self.granted else 'withdrawn'}"

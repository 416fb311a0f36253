"""Admin for supporters: only superusers and the "Supporter data" group ever see personal data."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from . import services
from .models import ConsentRecord, EmailPreferences, User
from .permissions import SupporterDataAdminMixin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this email address already exists."), code="unique")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class EmailPreferencesInline(SupporterDataAdminMixin, admin.StackedInline):
    """Read-only: consent is given or withdrawn by the supporter, never by staff on their behalf."""

    model = EmailPreferences
    can_delete = False
    fields = readonly_fields = ("campaign_updates", "tracker_updates", "digest_frequency", "updated_at")
    verbose_name_plural = _("email preferences")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(SupporterDataAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [EmailPreferencesInline]
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "country",
        "region",
        "language",
        "is_staff",
        "date_joined",
        "last_activity_at",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "country", "groups")
    search_fields = ("email", "first_name", "last_name")
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined", "last_activity_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("first_name", "last_name", "language", "country", "region", "postal_code")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "last_activity_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)

    def get_inlines(self, request, obj):
        # A user being added has no preferences yet.
        return self.inlines if obj else []

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Consent records outlive the user, anonymised (see delete_model), so deleting a user needs
        # no permission to delete them, and they are not counted as deleted.
        perms_needed.discard(ConsentRecord._meta.verbose_name)
        model_count.pop(ConsentRecord._meta.verbose_name_plural, None)
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        # The same path as a supporter deleting their own account: every app erases its share first.
        services.account_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.account_delete(user=user)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, SupporterDataAdminMixin, admin.ModelAdmin):
    """Proof of consent: rows are only ever added, by the supporter's own actions."""

    list_display = ("created_at", "topic", "granted", "value", "email", "user", "source")
    list_filter = ("topic", "granted", "created_at")
    search_fields = ("email", "user__email", "source")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = ("user", "email", "topic", "granted", "value", "wording", "source", "created_at")


# allauth's own admins show addresses and authenticators: the same rule applies to them.
for model, model_admin in ((EmailAddress, EmailAddressAdmin), (Authenticator, AuthenticatorAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (SupporterDataAdminMixin, model_admin), {}))

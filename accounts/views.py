"""The supporter's own pages: profile, email preferences, and their data (export and deletion)."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import FormView, View
from django.views.i18n import set_language as django_set_language

from core.origins import posted_from
from core.views import csrf_failure

from . import services
from .forms import AccountDeleteForm, EmailPreferencesForm, ProfileForm
from .models import User
from .personal_data import collect_personal_data
from .selectors import consent_records_for, email_preferences_for

PREFERENCES_SOURCE = "/accounts/email/preferences/"
CONSENT_HISTORY_PAGE_SIZE = 25


@method_decorator(never_cache, name="dispatch")
class ProfileView(LoginRequiredMixin, FormView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(mfa_enabled=is_mfa_enabled(self.request.user), **kwargs)

    def form_valid(self, form):
        user = self.request.user
        language_changed = form.cleaned_data["language"] != user.language
        services.profile_update(user=user, **form.cleaned_data)
        if language_changed:
            # The next page is in the new language, at its address (core.languages); the cookie
            # keeps it after signing out, and this message is written in it too.
            translation.activate(user.language)
        response = redirect("accounts:profile")
        if language_changed:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        messages.success(self.request, _("Your profile is saved."))
        return response


@csrf_exempt  # checked below
@require_POST
def language_set(request):
    """The header's language switcher: Django's cookie, and for a signed-in supporter their saved
    preference too (which otherwise outranks the cookie, so the switch would do nothing).

    The switcher is on pages that anonymous visitors share from the cache (campaigns.fastpath),
    which carry no CSRF token. For them it changes only a cookie, so a post from this site (its
    Origin, else its Referer) is enough; a signed-in supporter's saved preference stays behind
    Django's CSRF check (their pages are rendered for them, with a token)."""
    if request.user.is_authenticated:
        rejected = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
        if rejected is not None:
            return rejected
    elif not posted_from(request):
        return csrf_failure(request)
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values:
        services.user_language_set(user=request.user, language=language)
    return response


@method_decorator(never_cache, name="dispatch")
class EmailPreferencesView(LoginRequiredMixin, FormView):
    form_class = EmailPreferencesForm
    template_name = "accounts/email_preferences.html"

    def get_initial(self):
        preferences = email_preferences_for(self.request.user)
        return {
            "campaign_updates": preferences.campaign_updates,
            "tracker_updates": preferences.tracker_updates,
            "digest_frequency": preferences.digest_frequency,
        }

    def get_context_data(self, **kwargs):
        paginator = Paginator(consent_records_for(self.request.user), CONSENT_HISTORY_PAGE_SIZE)
        return super().get_context_data(consent_page=paginator.get_page(self.request.GET.get("page")), **kwargs)

    def form_valid(self, form):
        services.preferences_update(user=self.request.user, source=PREFERENCES_SOURCE, **form.cleaned_data)
        messages.success(self.request, _("Your email preferences are saved."))
        return redirect("accounts:email-preferences")


@method_decorator(never_cache, name="dispatch")
class DataView(LoginRequiredMixin, FormView):
    """What Rally holds about the supporter, the download of it, and deleting the account."""

    form_class = AccountDeleteForm
    template_name = "accounts/data.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        services.account_delete(user=self.request.user)
        logout(self.request)
        messages.success(self.request, _("Your account and the personal data it held are deleted."))
        return redirect("pages:home")


@method_decorator(never_cache, name="dispatch")
class DataExportView(LoginRequiredMixin, View):
    def get(self, request):
        response = JsonResponse(collect_personal_data(request.user), json_dumps_params={"indent": 2})
        filename = f"rally-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

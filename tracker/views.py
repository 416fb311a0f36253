"""The tracker's public pages, staff previews and following. Views validate, call one service or
selector, and render or redirect."""

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.consent import WORDING
from accounts.models import ConsentRecord
from campaigns.panels import action_context
from core.middleware import client_address, rate_limit_client

from . import selectors
from .forms import AccountFollowForm, EmailFollowForm, TimelineFilterForm
from .models import Assessment, Follow, Review
from .services import follow_confirm, follow_create, follow_delete
from .services.following import follow_source
from .tokens import confirm_token_read, unfollow_token_read

TIMELINE_PAGE_SIZE = 20
# Follow requests by email per client address per hour (each may send a confirmation email).
FOLLOW_REQUESTS_PER_HOUR = 20


def _public_review(slug: str) -> Review:
    return get_object_or_404(Review.objects.published(), slug=slug)


def _preview_refused(request, permission: str):
    """Drafts are shown only to staff who may open the admin and view this kind of content: a
    redirect to sign in for visitors, 403 for others, None when the preview may be shown."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (admin.site.has_permission(request) and request.user.has_perm(permission)):
        raise PermissionDenied
    return None


def _consent_wording() -> str:
    return str(WORDING[ConsentRecord.Topic.TRACKER_UPDATES])


@require_GET
def index(request):
    reviews = selectors.public_reviews().order_by("position", "title")
    return render(request, "tracker/index.html", {"reviews": reviews})


def _render_review(request, review: Review, *, preview: bool):
    page = selectors.review_page(review=review, user=request.user)
    related_actions = [
        {**action_context(request, action, among_others=True), "form_action": action.get_absolute_url()}
        for action in selectors.review_related_actions(review)
    ]
    context = {
        "review": review,
        "page": page,
        "related_actions": related_actions,
        "preview": preview,
        "email_form": EmailFollowForm(),
        "account_form": AccountFollowForm(initial={"delivery": page.follow.delivery} if page.follow else None),
        "consent_wording": _consent_wording(),
    }
    return render(request, "tracker/review.html", context)


@require_GET
def review_detail(request, slug):
    return _render_review(request, _public_review(slug), preview=False)


@require_GET
def review_preview(request, slug):
    if refused := _preview_refused(request, "tracker.view_review"):
        return refused
    return _render_review(request, get_object_or_404(Review, slug=slug), preview=True)


@require_GET
def timeline(request, slug):
    review = _public_review(slug)
    form = TimelineFilterForm(request.GET or None, review=review)
    filters = {}
    filter_notice = ""
    if form.is_bound:
        if form.is_valid():
            filters = form.filters()
        else:
            # A bad link or a hand-edited date must not break the page: show everything, and say why.
            filter_notice = _("The filters could not be applied, so every development is shown.")
    developments = selectors.timeline(review=review, **filters)
    page_obj = Paginator(developments, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/timeline.html",
        {
            "review": review,
            "form": form,
            "filter_notice": filter_notice,
            "filtered": any(filters.values()),
            "page_obj": page_obj,
            "developments": page_obj.object_list,
        },
    )


@require_GET
def sources(request, slug):
    review = _public_review(slug)
    return render(
        request,
        "tracker/sources.html",
        {"review": review, "sources": selectors.review_sources_with_citations(review)},
    )


# What each assessment means against a factor of IRPA s.102(2), on the methodology page.
ASSESSMENT_MEANINGS = {
    Assessment.MEETS: gettext_lazy(
        "The public facts show the country satisfies the factor: the treaty is in force, or the practice "
        "respects the obligations the factor names. Nothing credible reported since points the other way."
    ),
    Assessment.CONCERNS: gettext_lazy(
        "Credible, sourced reports put the factor in doubt: a policy or practice that may breach the "
        "obligations, or evidence of harm to people seeking protection, not yet shown to be established "
        "and general."
    ),
    Assessment.DOES_NOT_MEET: gettext_lazy(
        "The country fails the factor: the sources show a policy or practice that breaks the obligations "
        "the factor names, established and not isolated. On this factor, in the editors' judgement, the "
        "country is no longer a safe third country."
    ),
    Assessment.NOT_ASSESSED: gettext_lazy("The editors have not weighed this factor yet."),
}
STATUTE_URL = "https://laws-lois.justice.gc.ca/eng/acts/i-2.5/section-102.html"


@require_GET
def methodology(request, slug):
    """Who assesses, how, and what each assessment means against the law's factors."""
    review = _public_review(slug)
    return render(
        request,
        "tracker/methodology.html",
        {
            "review": review,
            "factors": list(selectors.review_factors(review)),
            "assessments": [
                (value, Assessment(value).label, meaning) for value, meaning in ASSESSMENT_MEANINGS.items()
            ],
            "statute_url": STATUTE_URL,
        },
    )


@require_GET
def development_detail(request, slug, pk, development_slug=None):
    review = _public_review(slug)
    development = selectors.development_detail(review=review, pk=pk)
    if development is None:
        raise Http404
    if development_slug != development.slug:
        return redirect(development.get_absolute_url(), permanent=True)
    return render(request, "tracker/development.html", {"review": review, "development": development, "preview": False})


@require_GET
def development_preview(request, slug, pk):
    if refused := _preview_refused(request, "tracker.view_development"):
        return refused
    review = get_object_or_404(Review, slug=slug)
    development = selectors.development_detail(review=review, pk=pk, include_drafts=True)
    if development is None:
        raise Http404
    return render(request, "tracker/development.html", {"review": review, "development": development, "preview": True})


def _client_over_follow_limit(request) -> bool:
    key = f"tracker:follow-requests:{rate_limit_client(client_address(request))}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > FOLLOW_REQUESTS_PER_HOUR
    except ValueError:  # expired between add and incr
        return False


@require_http_methods(["GET", "POST"])
def follow(request, slug):
    review = _public_review(slug)
    context = {"review": review, "consent_wording": _consent_wording()}
    source = follow_source(review, "follow button, signed in" if request.user.is_authenticated else "follow by email")
    if request.user.is_authenticated:
        form = AccountFollowForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            outcome = follow_create(
                review=review, user=request.user, delivery=form.cleaned_data["delivery"], source=source
            )
            if outcome.follow.delivery == Follow.Delivery.DIGEST:
                messages.success(request, _("You follow this review. Its news will come in your digest."))
            else:
                messages.success(request, _("You follow this review. We will email you when there is news."))
            return redirect(f"{review.get_absolute_url()}#follow")
        return render(request, "tracker/follow.html", {**context, "account_form": form})

    form = EmailFollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            # A bot: it sees the usual answer, and nobody gets an email.
            return redirect("tracker:follow-sent", slug=review.slug)
        if _client_over_follow_limit(request):
            messages.error(request, _("Too many requests from your connection. Please try again in an hour."))
            return render(request, "tracker/follow.html", {**context, "email_form": form}, status=429)
        try:
            follow_create(review=review, email=form.cleaned_data["email"], language=get_language(), source=source)
        except ValidationError as error:
            form.add_error("email", error.message_dict.get("email", error.messages))
        else:
            return redirect("tracker:follow-sent", slug=review.slug)
    return render(request, "tracker/follow.html", {**context, "email_form": form})


@require_GET
def follow_sent(request, slug):
    return render(request, "tracker/follow_sent.html", {"review": _public_review(slug)})


@require_POST
def unfollow_signed_in(request, slug):
    review = _public_review(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(review.get_absolute_url())
    follow = selectors.follow_of(review=review, user=request.user)
    if follow is not None:
        follow_delete(follow=follow, source=follow_source(review, "unfollow button, signed in"))
    messages.success(request, _("You no longer follow this review."))
    return redirect(review.get_absolute_url())


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button and changes nothing (mail scanners open links); POST confirms."""
    follow = selectors.follow_by_token(confirm_token_read(token))
    if follow is None:
        return render(request, "tracker/follow_invalid.html", status=400)
    if follow.confirmed_at is not None:
        return render(request, "tracker/follow_confirmed.html", {"review": follow.review})
    if request.method == "POST":
        confirmed = follow_confirm(
            token=token, source=follow_source(follow.review, "email confirmation link"), language=get_language()
        )
        if confirmed is None:  # unfollowed between the two clicks
            return render(request, "tracker/follow_invalid.html", status=400)
        return render(request, "tracker/follow_confirmed.html", {"review": confirmed.review})
    return render(
        request,
        "tracker/follow_confirm.html",
        {"review": follow.review, "token": token, "consent_wording": _consent_wording()},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unfollow(request, token):
    """The unfollow link in every news email: GET shows a button; POST stops the follow in one click,
    without a session or CSRF cookie (as for the emails' unsubscribe)."""
    follow_token = unfollow_token_read(token)
    if follow_token is None:
        return render(request, "tracker/unfollow_invalid.html", status=400)
    follow = selectors.follow_by_token(follow_token)
    if follow is None:
        return render(request, "tracker/unfollow_done.html", {"review": None})
    if request.method == "POST":
        review = follow_delete(follow=follow, source=follow_source(follow.review, "unfollow link in an email"))
        return render(request, "tracker/unfollow_done.html", {"review": review})
    return render(request, "tracker/unfollow.html", {"review": follow.review, "token": token})

"""Public campaign pages, the action form (also embeddable), confirmation and "My actions"."""

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.geography import normalise_postal_code
from core.middleware import client_address
from core.views import csrf_failure

from . import fragments, selectors
from .abuse import mp_lookup_allowed
from .fastpath import lane, page_cache
from .forms import riding_label
from .models import Action, Signature
from .panels import action_context, panel_context
from .represent import RepresentUnavailable
from .services import ActionChanged, signature_confirm, signature_withdraw
from .services.representatives import postal_code_lookup
from .share_cards import card_png
from .sharing import (
    action_card,
    action_share_tags,
    action_share_url,
    campaign_card,
    campaign_share_tags,
    share_panel_context,
)
from .signing import embed_origin_allowed, sign_allowed, sign_attempt
from .tokens import CONFIRM, WITHDRAW


def render_listing(request, template: str, content):
    """The home page (pages.views) or the campaign list: for an anonymous visitor without a session, the page
    every such visitor shares (campaigns.fastpath), with no CSRF token in its language switcher."""
    if not page_cache.shared_page_visitor(request):
        return render(request, template, {"content": content})
    return page_cache.mark_shareable(render(request, template, {"content": content, "shared_page": True}))


@require_safe
def campaign_list(request):
    content = fragments.cached_fragment(
        fragments.CAMPAIGN_LIST,
        lambda: fragments.render_fragment("campaigns/_campaign_cards.html", {"campaigns": selectors.campaigns_live()}),
        timeout=settings.COUNT_DELAY_SECONDS,
    )
    return render_listing(request, "campaigns/campaign_list.html", content)


@require_safe
def campaign_detail(request, slug):
    campaign = selectors.campaign_public(slug)
    if campaign is None:
        return render(request, "404.html", status=404)
    return render(
        request, "campaigns/campaign_detail.html", {"campaign": campaign, "share": campaign_share_tags(campaign)}
    )


def _share_image(request, card) -> HttpResponse:
    """A share card's PNG (campaigns.share_cards). Its ETag is the card's version: a crawler that
    has it gets a 304. The page's link names the version (?v=): that URL always shows the same
    image, so it may be kept a day; without it, or with an older one, only a few minutes."""
    etag = f'"{card.version}"'
    current = request.GET.get("v") == card.version
    max_age = 24 * 3600 if current else settings.SHARE_CARD_SECONDS
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(card_png(card), content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _share_language(language: str) -> str:
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    return language


@require_safe
def action_share_image(request, slug, language):
    action = selectors.action_for_page(slug, user=request.user, cached=True)
    if action is None:
        return _unavailable(request)
    return _share_image(request, action_card(action, _share_language(language)))


@require_safe
def campaign_share_image(request, slug, language):
    campaign = selectors.campaign_public(slug)
    if campaign is None:
        return render(request, "404.html", status=404)
    return _share_image(request, campaign_card(campaign, _share_language(language)))


def _unavailable(request, *, embed: bool = False):
    template = "campaigns/embed_unavailable.html" if embed else "campaigns/action_unavailable.html"
    return render(request, template, status=404)


def _ask_html(action: Action):
    # The petition's text and its recent supporters: the same for everyone, cached briefly.
    return fragments.cached_fragment(
        fragments.action_ask_name(action.pk),
        lambda: fragments.render_fragment(
            "campaigns/_action_ask.html", {"action": action, "recent_signers": selectors.recent_signers(action)}
        ),
        timeout=settings.COUNT_DELAY_SECONDS,
        version=fragments.action_version(action),
    )


def _share_html(action: Action, *, embed: bool = False):
    # Shown after signing and confirming: the same for everyone (the links are built from SITE_URL).
    # In the embed, the next steps open outside the partner's frame.
    return fragments.cached_fragment(
        fragments.action_share_name(action.pk, embed=embed),
        lambda: fragments.render_fragment("campaigns/_after_signing.html", share_panel_context(action, embed=embed)),
        timeout=fragments.FORM_FRAGMENT_SECONDS,
        version=fragments.action_version(action),
    )


def _page_context(request, action: Action, form=None, *, embed: bool) -> dict:
    context = action_context(request, action, form, embed=embed)
    if not embed:
        context["ask_html"] = _ask_html(action)
    return context


def _anonymous_page_content(action: Action):
    """The action page's content as every anonymous visitor sees it: with no CSRF token (see
    action_detail), so the whole page can be shared."""

    def render_content():
        context = panel_context(action, user=AnonymousUser())
        context.update(ask_html=_ask_html(action), SITE_URL=settings.SITE_URL, shared_page=True)
        return fragments.render_fragment("campaigns/_action_page.html", context)

    return fragments.cached_fragment(
        fragments.action_page_name(action.pk),
        render_content,
        timeout=settings.COUNT_DELAY_SECONDS,
        version=fragments.action_version(action),
    )


def _sign_posted(request, slug: str, *, embed: bool, user):
    """_sign with the action the form was posted to: the copy action_for_signing keeps, or, if
    that changed since, the database's own. None when there is no such action (any more)."""
    action = selectors.action_for_signing(slug, user=request.user)
    if action is None:
        return None
    try:
        return _sign(request, action, embed=embed, user=user, action_copy=True)
    except ActionChanged:
        action = selectors.action_for_signing(slug, user=request.user, fresh=True)
        return None if action is None else _sign(request, action, embed=embed, user=user)


def _sign(request, action: Action, *, embed: bool, user, action_copy: bool = False):
    """Takes the post (campaigns.signing, as the signing lane does) and renders its page; every
    outcome of a valid form renders the same page. With `action_copy`, ActionChanged when the
    copy no longer stands, before the page says anything from it."""
    page = "campaigns/action_embed.html" if embed else "campaigns/action_detail.html"
    attempt = sign_attempt(request, action, user=user, action_copy=action_copy)
    if attempt.closed:
        context = _page_context(request, action, embed=embed)
        context["not_recorded"] = True
        return render(request, page, context, status=409)
    if not attempt.taken:
        # Being shown one's MP (or the ridings to choose from) is a step of the form, not a mistake.
        status = 200 if attempt.form.only_asks_riding else 400
        return render(request, page, _page_context(request, action, attempt.form, embed=embed), status=status)
    template = "campaigns/embed_submitted.html" if embed else "campaigns/signature_submitted.html"
    context = {"action": action, "counted": attempt.result.counted, "letter_waiting": attempt.form.letter_waiting}
    if embed or attempt.result.counted or attempt.form.letter_waiting or not page_cache.shared_page_visitor(request):
        return render(request, template, {**context, "share_html": _share_html(action, embed=embed)})
    # Every anonymous supporter gets the same page whatever happened (it must reveal nothing), so
    # it is rendered once per action and language, without a CSRF token (see signing.sign_allowed).
    html = fragments.cached_fragment(
        fragments.action_submitted_name(action.pk),
        lambda: render_to_string(
            template, {**context, "share_html": _share_html(action), "shared_page": True}, request=request
        ),
        timeout=fragments.FORM_FRAGMENT_SECONDS,
        version=fragments.action_version(action),
    )
    return lane.keep_for_lane(HttpResponse(html), version=fragments.action_version(action))


@csrf_exempt  # checked in signing.sign_allowed
@require_http_methods(["GET", "HEAD", "POST"])
def action_detail(request, slug):
    if request.method == "POST":
        if not sign_allowed(request, user=request.user):
            return csrf_failure(request)
        response = _sign_posted(request, slug, embed=False, user=request.user)
        return _unavailable(request) if response is None else response
    action = selectors.action_for_page(slug, user=request.user, cached=True)
    if action is None:
        return _unavailable(request)
    if request.user.is_authenticated:
        context = _page_context(request, action, embed=False)
        context["share"] = action_share_tags(action, context["progress"].count)
        return render(request, "campaigns/action_detail.html", context)
    context = {
        "action": action,
        "share_url": action_share_url(action),
        "share": action_share_tags(action),
        "content": _anonymous_page_content(action),
        # No CSRF token in the sign form nor the language switcher: this page is shared by every
        # anonymous visitor (and asking for a token would set a cookie).
        "shared_page": True,
    }
    return page_cache.mark_shareable(render(request, "campaigns/action_detail.html", context))


def _frameable(response):
    # Read per request, so a changed setting applies without a restart of the decorator.
    response._csp_replace = {"frame-ancestors": [SELF, *settings.EMBED_ALLOWED_ORIGINS]}
    return response


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def action_embed(request, slug):
    if request.method == "POST" and embed_origin_allowed(request):
        # Signed as an anonymous supporter whatever cookies came along: without CSRF protection
        # this form must never act for a signed-in account.
        response = _sign_posted(request, slug, embed=True, user=None)
        return _frameable(_unavailable(request, embed=True) if response is None else response)
    action = selectors.action_for_page(slug, cached=True)
    if action is None:
        return _frameable(_unavailable(request, embed=True))
    if request.method == "POST":
        return _frameable(render(request, "campaigns/embed_forbidden.html", {"action": action}, status=403))
    return _frameable(render(request, "campaigns/action_embed.html", _page_context(request, action, embed=True)))


def _lookup_answer(status: str, message: str = "", **extra) -> JsonResponse:
    response = JsonResponse({"status": status, "message": message, **extra})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def action_mp_lookup(request, slug):
    """The action form's "Your MP" as the supporter types (static/js/mp-lookup.js): JSON from our
    own origin, so the browser never asks a third party. Every outcome is a 200 with a `status`
    (found, choose, unknown, invalid, unavailable), except too many lookups (429)."""
    action = selectors.action_for_page(slug, cached=True)
    if action is None or not action.to_supporters_mp:
        return JsonResponse({"status": "not_found", "message": _("No such action.")}, status=404)
    if not mp_lookup_allowed(client_address(request)):
        response = JsonResponse(
            {"status": "too_many", "message": _("Too many lookups: wait a minute, or send the form.")}, status=429
        )
        response["Retry-After"] = "60"
        return response
    try:
        postal_code, _region = normalise_postal_code("CA", request.GET.get("postal_code", "")[:20])
    except ValidationError as error:
        return _lookup_answer("invalid", error.messages[0])
    if not postal_code:
        return _lookup_answer("invalid", _("Enter your postal code."))
    try:
        lookup = postal_code_lookup(postal_code=postal_code)
    except RepresentUnavailable:
        return _lookup_answer(
            "unavailable",
            _("We cannot look up your MP right now: send your letter all the same, we will address it later."),
        )
    ridings = [
        {
            "id": rep.pk,
            "name": rep.name,
            "riding": rep.district_name,
            "party": rep.party_name,
            "label": riding_label(rep),
        }
        for rep in lookup.representatives
    ]
    if not ridings:
        return _lookup_answer(
            "unknown", _("We could not find the riding of this postal code. Check it, or choose your riding below.")
        )
    if len(ridings) == 1:
        message = _("Your MP: %(mp)s") % {"mp": lookup.representatives[0].summary}
        return _lookup_answer("found", message, ridings=ridings)
    return _lookup_answer("choose", _("Your postal code is in more than one riding: choose yours."), ridings=ridings)


@require_safe
def action_signatures(request, slug):
    action = selectors.action_for_page(slug, cached=True)
    if action is None:
        return _unavailable(request)
    breakdown = selectors.action_breakdown(action)
    return render(
        request,
        "campaigns/action_signatures.html",
        {
            "action": action,
            "campaign": action.campaign,
            "progress": selectors.action_progress(action),
            "page": selectors.signatures_page(action, request.GET.get("page")),
            "breakdown": breakdown,
            "region_chart": selectors.bar_chart(breakdown["by_region"]),
            "country_chart": selectors.bar_chart(breakdown["by_country"]),
        },
    )


_SIGNATURE_STATE = {
    Signature.Status.PENDING: "pending",
    Signature.Status.CONFIRMED: "already_confirmed",
    Signature.Status.WITHDRAWN: "withdrawn",
    Signature.Status.EXPIRED: "expired",
}


def _shared_confirm_page(request, outcome: str, action_id: int, load_action) -> HttpResponse:
    """The confirmation page as every anonymous supporter of the action sees it for this outcome:
    it shows only the action, and its form posts back to the link it was opened from, with no
    token (see signature_confirm_view). Rendered once per action, outcome and language."""

    def render_shared():
        action = load_action()
        context = {"outcome": outcome, "action": action, "shared_page": True, "next_path": fragments.PATH_SLOT}
        if outcome in ("confirmed", "already_confirmed"):
            context["share_html"] = _share_html(action)
        return render_to_string("campaigns/signature_confirm.html", context)

    html = fragments.cached_fragment(
        fragments.confirm_page_name(action_id, outcome), render_shared, timeout=settings.COUNT_DELAY_SECONDS
    )
    return HttpResponse(fragments.with_path(html, request.get_full_path()), status=400 if outcome == "invalid" else 200)


# The link is the credential: whoever holds it may confirm, from any page, so a CSRF token would add
# nothing (and would keep the page above from being shared).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signature_confirm_view(request, token):
    """GET shows one button and changes nothing (mail scanners fetch links); POST confirms."""
    signature = None
    if request.method == "POST":
        result = signature_confirm(token=token)
        outcome, signature = result.outcome, result.signature
        # After a POST the outcome is never "pending": the action's kind does not matter here.
        state = selectors.SignatureState(signature.pk, signature.status, signature.action_id, "") if signature else None
    else:
        state = selectors.signature_state_from_token(token, purpose=CONFIRM)
        outcome = _SIGNATURE_STATE.get(state.status, "invalid") if state else "invalid"
    # A letter's confirmation page shows the letter: that supporter's own words.
    own_words = outcome == "pending" and state is not None and state.action_kind == Action.Kind.LETTER
    if state is not None and not own_words and page_cache.shared_page_visitor(request):
        return _shared_confirm_page(
            request,
            outcome,
            state.action_id,
            lambda: signature.action if signature else selectors.action_by_pk(state.action_id),
        )
    if signature is None and state is not None:
        signature = selectors.signature_from_token(token, purpose=CONFIRM)
    context = {"outcome": outcome, "signature": signature, "action": signature.action if signature else None}
    if outcome == "pending":
        context["letter"] = selectors.signature_letter(signature)
    if signature is not None and outcome in ("confirmed", "already_confirmed"):
        context["share_html"] = _share_html(signature.action)
    return render(request, "campaigns/signature_confirm.html", context, status=400 if outcome == "invalid" else 200)


@require_http_methods(["GET", "POST"])
def signature_withdraw_view(request, token):
    """GET shows one button; POST withdraws the signature the emailed link names."""
    signature = selectors.signature_from_token(token, purpose=WITHDRAW)
    if signature is None:
        return render(request, "campaigns/signature_withdraw.html", {"outcome": "invalid"}, status=400)
    if request.method == "POST":
        outcome = "done" if signature_withdraw(signature=signature) else "nothing"
    elif signature.status in (Signature.Status.CONFIRMED, Signature.Status.PENDING):
        outcome = "ask"
    else:
        outcome = "nothing"
    return render(
        request,
        "campaigns/signature_withdraw.html",
        {"outcome": outcome, "signature": signature, "action": signature.action},
    )


@login_required
@require_safe
def my_actions(request):
    return render(request, "campaigns/my_actions.html", selectors.my_actions(request.user))


@login_required
@require_POST
def my_action_withdraw(request, signature_id):
    signature = selectors.own_signature(request.user, signature_id)
    if signature is None:
        return render(request, "404.html", status=404)
    if signature_withdraw(signature=signature):
        messages.success(request, _("Your signature on “%(title)s” is withdrawn.") % {"title": signature.action.title})
    return redirect("campaigns:my-actions")

"""The action panel's context: shared by the action page, its embed and the tracker's review page."""

from crispy_forms.utils import render_crispy_form
from django.conf import settings

from . import fragments, selectors
from .forms import SignatureForm
from .models import Action
from .sharing import action_share_url, share_links


def _initial(user) -> dict:
    initial = {"country": settings.SIGNATURE_DEFAULT_COUNTRY}
    if user.is_authenticated:
        initial.update(
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            country=user.country or settings.SIGNATURE_DEFAULT_COUNTRY,
            postal_code=user.postal_code,
        )
    return initial


def action_context(request, action: Action, form=None, *, embed: bool = False) -> dict:
    """What the action panel (progress, then the form or the final count) needs; used by the
    action page, the embed and pages of other apps that show an action (the tracker)."""
    return panel_context(action, user=request.user, form=form, embed=embed)


def panel_context(action: Action, *, user, form=None, embed: bool = False) -> dict:
    """action_context for a given user (AnonymousUser for a fragment everyone shares).

    An anonymous visitor's empty form is the same for everyone: its HTML comes from the cache
    (form_html), rendered once per action and language rather than once per visitor."""
    is_open = action.is_open()
    form_html = ""
    if form is None and is_open:
        if user.is_authenticated:
            form = SignatureForm(action=action, initial=_initial(user))
        else:
            form_html = fragments.cached_fragment(
                fragments.action_form_name(action.pk),
                lambda: render_crispy_form(SignatureForm(action=action, initial=_initial(user))),
                timeout=fragments.FORM_FRAGMENT_SECONDS,
                version=fragments.action_version(action),
            )
    progress = selectors.action_progress(action)
    return {
        "action": action,
        "campaign": action.campaign,
        "progress": progress,
        "next_threshold": selectors.next_threshold(action, progress.count),
        "responses": [] if embed else selectors.published_responses(action),
        "form": form,
        "form_html": form_html,
        "is_open": is_open,
        "closed_at": action.effective_closed_at(),
        "share_url": action_share_url(action),
        "share_links": share_links(action),
        "embed": embed,
    }

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


# The sign form's field ids on its own page; a page showing several actions' forms (the tracker's
# review page) gives each form ids of its own (panel_context's `among_others`).
OWN_PAGE_IDS = "id_%s"


def action_context(request, action: Action, form=None, *, embed: bool = False, among_others: bool = False) -> dict:
    """What the action panel (progress, then the form or the final count) needs; used by the
    action page, the embed and pages of other apps that show an action (the tracker)."""
    return panel_context(action, user=request.user, form=form, embed=embed, among_others=among_others)


def panel_context(action: Action, *, user, form=None, embed: bool = False, among_others: bool = False) -> dict:
    """action_context for a given user (AnonymousUser for a fragment everyone shares).

    An anonymous visitor's empty form is the same for everyone: its HTML comes from the cache
    (form_html), rendered once per action and language rather than once per visitor. With
    `among_others`, the page shows other forms too: this one's field ids carry the action's slug."""
    is_open = action.is_open()
    form_html = ""
    auto_id = f"{action.slug}_%s" if among_others else OWN_PAGE_IDS
    if form is None and is_open:
        if user.is_authenticated:
            form = SignatureForm(action=action, initial=_initial(user), auto_id=auto_id)
        else:
            form_html = fragments.cached_fragment(
                fragments.action_form_name(action.pk) + (":among-others" if among_others else ""),
                lambda: render_crispy_form(SignatureForm(action=action, initial=_initial(user), auto_id=auto_id)),
                timeout=fragments.FORM_FRAGMENT_SECONDS,
                version=fragments.action_version(action),
            )
    progress = selectors.action_progress(action)
    milestones, next_threshold = selectors.threshold_progress(action, progress.count)
    return {
        "action": action,
        "campaign": action.campaign,
        "progress": progress,
        "milestones": milestones,
        "next_threshold": next_threshold,
        "responses": [] if embed else selectors.published_responses(action),
        "form": form,
        "form_html": form_html,
        "is_open": is_open,
        # Where the action page's "Sign" link on a phone's first screen leads (see _action_page.html).
        "first_field_id": auto_id % SignatureForm.first_field_name(action),
        "closed_at": action.effective_closed_at(),
        "share_url": action_share_url(action),
        "share_links": share_links(action),
        "embed": embed,
    }

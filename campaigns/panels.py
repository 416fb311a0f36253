"""The action panel's context: shared by the action page, its embed and the tracker's review page."""

from django.conf import settings

from . import selectors
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
    is_open = action.is_open()
    if form is None and is_open:
        form = SignatureForm(action=action, initial=_initial(request.user))
    progress = selectors.action_progress(action)
    return {
        "action": action,
        "campaign": action.campaign,
        "progress": progress,
        "next_threshold": selectors.next_threshold(action, progress.count),
        "recent_signers": [] if embed else selectors.recent_signers(action),
        "responses": [] if embed else selectors.published_responses(action),
        "form": form,
        "is_open": is_open,
        "closed_at": action.effective_closed_at(),
        "share_url": action_share_url(action),
        "share_links": share_links(action),
        "embed": embed,
    }

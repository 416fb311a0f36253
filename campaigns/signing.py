"""What lies between a posted sign form and signature_create, written once for the two roads a
post can take: the action page's view (campaigns.views) and the signing lane in front of the
middleware (campaigns.fastpath.lane). Who may post, whether the action takes signatures, the
form, and the signature taken: the same checks in the same order, whichever road answers.
"""

from dataclasses import dataclass

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import get_language

from core.middleware import client_address
from core.origins import posted_from
from core.sites import absolute_url

from . import selectors
from .forms import SignatureForm
from .models import Action
from .services import ActionChanged, ActionNotOpen, SignatureResult, signature_create


@dataclass(frozen=True)
class SignAttempt:
    """What became of a post: `result` is None when nothing was written (the action is closed,
    or the form has errors, which `form` holds)."""

    form: SignatureForm | None = None
    result: SignatureResult | None = None

    @property
    def closed(self) -> bool:
        return self.form is None

    @property
    def taken(self) -> bool:
        return self.result is not None


def embed_origin_allowed(request) -> bool:
    """The embedded form is posted without a CSRF cookie (cross-site frames get none), so its
    Origin (or, failing that, its Referer) must be this site or a partner in EMBED_ALLOWED_ORIGINS."""
    return posted_from(request, partners=True)


def sign_allowed(request, *, user) -> bool:
    """The sign form's protection against cross-site posts.

    The anonymous action page is one cached page for everyone (campaigns.fastpath), so its form
    carries no per-visitor CSRF token. An anonymous signature is protected as the embed's is: the
    post must come from this site or a partner site (Origin, else Referer), the honeypot and the
    per-IP limits apply, and nothing counts until the address is confirmed from its inbox. A
    forged cross-site post could only ask a stranger's inbox for a confirmation, which the same
    person could do by typing into the form. A signed-in supporter's signature counts at once, so
    it stays behind Django's CSRF check (their page is rendered for them, with a token)."""
    if user is not None and user.is_authenticated:
        return CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {}) is None
    return embed_origin_allowed(request)


def sign_attempt(request, action: Action, *, user, action_copy: bool = False, lane: bool = False) -> SignAttempt:
    """Validates the posted form and, when the action is open and the form valid, takes the
    signature (signature_create). With `action_copy` (the action is a kept copy), ActionChanged
    when the database no longer has it so, before anything is written or said from it."""

    def check_copy():
        if action_copy and not selectors.action_copy_current(action):
            raise ActionChanged(action.slug)

    if not action.is_open():
        check_copy()
        return SignAttempt()
    form = SignatureForm(request.POST, action=action)
    if not form.is_valid():
        check_copy()
        return SignAttempt(form=form)
    if lane and form.letter_waiting:
        # A letter waiting for its MP gets a page saying so, not the lane's shared one.
        return SignAttempt(form=form)
    try:
        result = signature_create(
            action=action,
            **form.signature_details(),
            user=user,
            ip_address=client_address(request),
            honeypot=form.cleaned_data["website"],
            language=get_language(),
            source_url=absolute_url(action.get_absolute_url()),
            action_copy=action_copy,
        )
    except ActionNotOpen:
        return SignAttempt()
    return SignAttempt(form=form, result=result)

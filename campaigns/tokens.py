"""Links in signature emails: confirm and withdraw, each valid only for its purpose.

A token is opaque (core.tokens: the signature id is encrypted, never visible, so nobody learns how
many signatures there are or guesses another's link). A confirmation link works for
SIGNATURE_CONFIRMATION_DAYS, as long as an unconfirmed signature lives; a withdraw link as long as
the signature exists, since its status says what it may still do. Links mailed before tokens were
opaque (Django-signed ids, with a ":") are still read, so no link already sent stops working
(docs/security.md).
"""

from django.conf import settings
from django.core import signing

from core.reversing import reverse_around
from core.sites import absolute_url
from core.tokens import token_open, token_seal

CONFIRM = "confirm"
WITHDRAW = "withdraw"
_ID_BYTES = 8


def _salt(purpose: str) -> str:
    return f"rally.campaigns.signature.{purpose}"


def _max_age(purpose: str) -> float | None:
    return settings.SIGNATURE_CONFIRMATION_DAYS * 86400 if purpose == CONFIRM else None


def signature_token(*, signature_id: int, purpose: str) -> str:
    return token_seal(signature_id.to_bytes(_ID_BYTES, "big"), purpose=_salt(purpose))


def _legacy_token_read(token: str, *, purpose: str) -> int | None:
    try:
        value = signing.loads(token, salt=_salt(purpose))
    except signing.BadSignature:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value


def signature_token_read(token: str, *, purpose: str) -> int | None:
    """The signature id of a genuine, unexpired token for this purpose; None if forged, mangled,
    expired or made for another purpose."""
    if ":" in token:
        value = _legacy_token_read(token, purpose=purpose)
    else:
        payload = token_open(token, purpose=_salt(purpose), max_age=_max_age(purpose))
        value = int.from_bytes(payload, "big") if payload is not None and len(payload) == _ID_BYTES else None
    if value is None or value <= 0:
        return None
    return value


def confirm_url(signature_id: int) -> str:
    token = signature_token(signature_id=signature_id, purpose=CONFIRM)
    return absolute_url(reverse_around("campaigns:signature-confirm", token))


def withdraw_url(signature_id: int) -> str:
    token = signature_token(signature_id=signature_id, purpose=WITHDRAW)
    return absolute_url(reverse_around("campaigns:signature-withdraw", token))

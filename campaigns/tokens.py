"""Signed links in signature emails: confirm and withdraw, each valid only for its purpose."""

from django.core import signing

from core.reversing import reverse_around
from core.sites import absolute_url

CONFIRM = "confirm"
WITHDRAW = "withdraw"


def _salt(purpose: str) -> str:
    return f"rally.campaigns.signature.{purpose}"


def signature_token(*, signature_id: int, purpose: str) -> str:
    return signing.dumps(signature_id, salt=_salt(purpose))


def signature_token_read(token: str, *, purpose: str) -> int | None:
    """The signature id of a genuine token for this purpose; None if forged, mangled or reused for
    another purpose. Tokens carry no expiry: the signature's own status says what it may still do."""
    try:
        value = signing.loads(token, salt=_salt(purpose))
    except signing.BadSignature:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return value


def confirm_url(signature_id: int) -> str:
    token = signature_token(signature_id=signature_id, purpose=CONFIRM)
    return absolute_url(reverse_around("campaigns:signature-confirm", token))


def withdraw_url(signature_id: int) -> str:
    token = signature_token(signature_id=signature_id, purpose=WITHDRAW)
    return absolute_url(reverse_around("campaigns:signature-withdraw", token))

"""Email addresses as mailboxes: one supporter signs an action once, however they spell it."""

import hashlib
import uuid
from collections.abc import Collection

MAX_LENGTH = 254
# googlemail.com is the same mailbox as gmail.com.
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}


def normalise_email(address: str, *, alias_insensitive_domains: Collection[str]) -> str:
    """Trimmed and case-folded; for the alias-insensitive domains given, dots and +tags in the
    local part are dropped (Gmail delivers a.b+x@gmail.com to ab@gmail.com), and aliased domains
    are folded. A pure function: the admin's list is applied by campaigns.abuse.signing_address."""
    address = (address or "").strip().casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    domain = domain.rstrip(".")
    if domain in alias_insensitive_domains:
        local = local.split("+", 1)[0].replace(".", "")
        domain = _DOMAIN_ALIASES.get(domain, domain)
    normalised = f"{local}@{domain}"
    if len(normalised) > MAX_LENGTH:
        # Case folding can lengthen some international domains ("ß" becomes "ss"); a digest keeps
        # the value within the column and still the same for the same mailbox.
        return "sha256:" + hashlib.sha256(normalised.encode()).hexdigest()
    return normalised


def email_domain(address: str) -> str:
    return (address or "").strip().casefold().rpartition("@")[2].rstrip(".")


def erased_placeholder() -> str:
    """Stands in for an erased address: unique, so the once-per-address constraint still holds,
    and derived from nothing, so it cannot be traced back to the supporter."""
    return "erased:" + hashlib.sha256(uuid.uuid4().bytes).hexdigest()

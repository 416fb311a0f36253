"""Staff's changes to the signing limits and lists (campaigns.signing_rules keeps them): logged, and
forgotten by every process once committed."""

from django.db import transaction

from ..models import AuditEntry
from ..signing_rules import forget_signing_rules, signing_limits_stored
from .audit import audit_record

__all__ = ["signing_limits_stored", "signing_rules_changed"]


def signing_rules_changed(*, user, detail: str) -> None:
    """Staff changed a limit or a list: it is logged, and once committed every process re-reads."""
    audit_record(user=user, kind=AuditEntry.Kind.RULES, detail=detail)
    transaction.on_commit(forget_signing_rules)

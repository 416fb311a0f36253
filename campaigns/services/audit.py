"""The staff audit log: every change to the counts and every export of supporters' data."""

from ..models import Action, AuditEntry


def audit_record(*, user, kind: str, action: Action | None = None, rows: int = 0, detail: str = "") -> AuditEntry:
    """Writes one entry in the caller's transaction, so the log holds exactly what was done."""
    user = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        user=user,
        user_email=user.email if user is not None else "",
        kind=kind,
        action=action,
        rows=rows,
        detail=detail[:500],
    )


def audit_record_step(*, user, kind: str, rows: int = 0, detail: str = "") -> AuditEntry:
    """core.audit's recorder: a step of a lower app, with no action attached."""
    if kind not in AuditEntry.Kind.values:
        raise ValueError(f"Unknown audit kind {kind!r}")
    return audit_record(user=user, kind=kind, rows=rows, detail=detail)

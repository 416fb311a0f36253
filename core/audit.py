"""The audit trail is kept by an upper app (campaigns); lower apps record their staff steps in it
through this registry, filled in that app's AppConfig.ready, so they never import it."""

from collections.abc import Callable

_recorders: list[Callable] = []


def register_audit_recorder(recorder: Callable) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def audit(*, user, kind: str, rows: int = 0, detail: str = "") -> None:
    """Records one staff step (`kind` is one of the trail's kinds) in the caller's transaction."""
    if not _recorders:
        raise LookupError("No audit trail is installed: add the app that keeps it to INSTALLED_APPS.")
    for recorder in _recorders:
        recorder(user=user, kind=kind, rows=rows, detail=detail)

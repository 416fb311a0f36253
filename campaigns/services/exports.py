"""Exporting an action's signatures as CSV for the Supporter data group, in constant memory: rows
stream from a server-side cursor in chunks, through a generator, to the response. Every export is
logged (who, when, which action, how many rows)."""

import csv
from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Action, AuditEntry, Signature
from .audit import audit_record

CHUNK_SIZE = 2000
# Rows joined into one piece of the response: few enough writes to be fast, small enough to stay flat.
ROWS_PER_PIECE = 500
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    ("id", "pk"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("country", "country"),
    ("region", "region"),
    ("postal_code", "postal_code"),
    ("opt_in", "opt_in"),
    ("language", "language"),
    ("status", "status"),
    ("signed_at", "created_at"),
    ("confirmed_at", "confirmed_at"),
]
LETTER_COLUMN = ("letter", "letter__message")


def safe_cell(value) -> str:
    """The cell as text a spreadsheet shows as text: formulas are defused with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, so csv.writer makes strings to yield."""

    def write(self, value: str) -> str:
        return value


def export_columns(action: Action) -> list[tuple[str, str]]:
    return COLUMNS + ([LETTER_COLUMN] if action.kind == Action.Kind.LETTER else [])


def export_queryset(action: Action):
    """The confirmed signatures of the action (those that count), oldest first."""
    return Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED).order_by("pk")


def signatures_csv(*, action: Action, user=None, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """Logs the export, then yields the CSV in pieces; the log entry gets the number of rows sent
    when the generator ends (or is closed by a client that went away)."""
    columns = export_columns(action)
    with transaction.atomic():
        entry = audit_record(user=user, kind=AuditEntry.Kind.EXPORT, action=action, detail="started")
    writer = csv.writer(_Echo())
    rows = 0
    finished = False
    try:
        yield writer.writerow([name for name, _field in columns])
        values = (
            export_queryset(action).values_list(*[field for _name, field in columns]).iterator(chunk_size=chunk_size)
        )
        piece = []
        for row in values:
            piece.append(writer.writerow([safe_cell(value) for value in row]))
            if len(piece) >= ROWS_PER_PIECE:
                rows += len(piece)
                yield "".join(piece)
                piece = []
        if piece:
            rows += len(piece)
            yield "".join(piece)
        finished = True
    finally:
        AuditEntry.objects.filter(pk=entry.pk).update(
            rows=rows, detail="complete" if finished else "interrupted before the end"
        )

"""Exporting an action's signatures as CSV for the Supporter data group, in constant memory: rows
stream from a server-side cursor in chunks, through a generator, to the response. Every export is
logged (who, when, which action, how many rows)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Action, AuditEntry, Signature
from .audit import audit_record

CHUNK_SIZE = 2000
# Rows written into one piece of the response: few enough writes to be fast, small enough to stay flat.
ROWS_PER_PIECE = 1000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (header, field, kind): the kind picks how a value becomes a cell.
COLUMNS = [
    ("id", "pk", "number"),
    ("first_name", "first_name", "text"),
    ("last_name", "last_name", "text"),
    ("email", "email", "text"),
    ("country", "country", "text"),
    ("region", "region", "text"),
    ("postal_code", "postal_code", "text"),
    ("opt_in", "opt_in", "yes_no"),
    ("language", "language", "text"),
    ("status", "status", "text"),
    ("signed_at", "created_at", "moment"),
    ("confirmed_at", "confirmed_at", "moment"),
]
LETTER_COLUMN = ("letter", "letter__message", "text")


def _text(value) -> str:
    if not value:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def safe_cell(value) -> str:
    """The cell as text a spreadsheet shows as text: formulas are defused with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, int):
        return str(value)
    return _text(value)


def _cell_makers(columns) -> list:
    """One function per column, chosen once: a million rows make twelve million cells."""
    zone = timezone.get_current_timezone()

    def moment(value):
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    kinds = {"number": str, "text": _text, "yes_no": lambda value: "yes" if value else "no", "moment": moment}
    return [kinds[kind] for _name, _field, kind in columns]


def export_columns(action: Action) -> list[tuple[str, str, str]]:
    return COLUMNS + ([LETTER_COLUMN] if action.kind == Action.Kind.LETTER else [])


def export_queryset(action: Action):
    """The confirmed signatures of the action (those that count), oldest first."""
    return Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED).order_by("pk")


def _piece(rows: list, makers: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[make(value) for make, value in zip(makers, row, strict=True)] for row in rows])
    return buffer.getvalue()


def signatures_csv(*, action: Action, user=None, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """Logs the export, then yields the CSV in pieces; the log entry gets the number of rows sent
    when the generator ends (or is closed by a client that went away)."""
    columns = export_columns(action)
    makers = _cell_makers(columns)
    with transaction.atomic():
        entry = audit_record(user=user, kind=AuditEntry.Kind.EXPORT, action=action, detail="started")
    rows = 0
    finished = False
    try:
        header = io.StringIO()
        csv.writer(header).writerow([name for name, _field, _kind in columns])
        yield header.getvalue()
        values = (
            export_queryset(action)
            .values_list(*[field for _name, field, _kind in columns])
            .iterator(chunk_size=chunk_size)
        )
        piece = []
        for row in values:
            piece.append(row)
            if len(piece) >= ROWS_PER_PIECE:
                rows += len(piece)
                yield _piece(piece, makers)
                piece = []
        if piece:
            rows += len(piece)
            yield _piece(piece, makers)
        finished = True
    finally:
        AuditEntry.objects.filter(pk=entry.pk).update(
            rows=rows, detail="complete" if finished else "interrupted before the end"
        )

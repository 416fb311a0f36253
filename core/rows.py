"""Rows inserted in plain SQL, exactly as Model.save() would insert them, for the one hot path that
cannot afford the ORM's work per row (a signature under a viral load: three inserts in one
statement and one round trip instead of five). PostgreSQL only; everything else uses the ORM.

The values are the ORM's own (each field's pre_save, then get_db_prep_save, as QuerySet._insert
does); the SQL is built once per model from its concrete fields, so a new field is inserted here
as soon as it is added to the model.
"""

import threading
from collections import deque
from functools import cache

from django.db import connection
from django.db.models import Model

# Ids reserved from a table's sequence at a time, per process (see reserve_id).
RESERVED_IDS = 50


@cache
def _fields(model: type[Model]) -> tuple:
    return tuple(field for field in model._meta.local_concrete_fields if not field.generated)


@cache
def insert_sql(model: type[Model]) -> str:
    """INSERT INTO <table> (<every column, the id included>) SELECT %s, ...: append a FROM (or
    an ON CONFLICT) clause as needed; the values are row_values(instance)."""
    quote = connection.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {placeholders}"  # noqa: S608


def row_values(instance: Model) -> list:
    """The values insert_sql takes for this unsaved instance, whose id is already set."""
    if instance.pk is None:
        raise ValueError("Reserve the row's id first (reserve_id).")
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in _fields(type(instance))]


_reserved: dict[type[Model], deque] = {}
_reserving = threading.Lock()


def reserve_id(model: type[Model]) -> int:
    """A new id from the model's sequence, known before the row is written (so that what is
    written beside it can name it). Taken RESERVED_IDS at a time: the ids of one process are
    not in the order of their rows' creation across processes, and an unused id is skipped,
    as after any rolled-back insert."""
    ids = _reserved.setdefault(model, deque())
    try:
        return ids.popleft()
    except IndexError:
        pass
    with _reserving:
        if ids:
            return ids.popleft()
        table = model._meta.db_table
        column = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, RESERVED_IDS],
            )
            ids.extend(row[0] for row in cursor.fetchall())
        return ids.popleft()


def forget_reserved_ids() -> None:
    """Drops the ids this process holds (a test that resets the sequences, a failed insert)."""
    _reserved.clear()

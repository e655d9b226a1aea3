"""Writing one scoring run at scale (10,000 applications within the benchmark's 5 seconds): its
breakdown rows, and the status changes with their field history. On PostgreSQL the breakdowns go
in with one COPY and each status change is one UPDATE ... RETURNING feeding the history INSERT;
elsewhere (SQLite in tests) batched ORM and INSERT ... SELECT statements write the same rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from django.conf import settings
from django.db import connection
from django.db.models import JSONField

from copsgrants.models import User

from ..models import Application, ScoreBreakdown

BATCH = 1000


def insert_breakdowns(rows: Iterable[dict]) -> None:
    """INSERT the breakdowns `rows` (field attnames to values, none of them None), in order."""
    if connection.vendor != "postgresql":
        ScoreBreakdown.objects.bulk_create(
            (ScoreBreakdown(**row) for row in rows), batch_size=BATCH
        )
        return
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    fields = [ScoreBreakdown._meta.get_field(name) for name in first]
    # Text as the ORM would store it: JSONField values through json.dumps (it has no encoder),
    # numbers through str.
    texts = [(f.attname, json.dumps if isinstance(f, JSONField) else str) for f in fields]
    lines = ("\t".join([text(row[name]) for name, text in texts]) for row in chain([first], rows))
    quote = connection.ops.quote_name
    table = quote(ScoreBreakdown._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        # Identifiers come from the model's _meta.
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", _Lines(lines))


class _Lines:
    """A file of COPY's text format that builds its lines as PostgreSQL reads them, so the
    database parses one chunk while Python builds the next."""

    def __init__(self, lines: Iterator[str]):
        self.lines = lines

    def read(self, size: int = -1) -> str:
        chunk = "\n".join(islice(self.lines, 200))
        # JSON text escapes every control character (tabs, newlines) and numbers have none, so
        # backslashes are all that COPY's text format needs escaped.
        return chunk.replace("\\", "\\\\") + "\n" if chunk else ""


def set_status_with_history(ids: list[int], status: str, *, by: User, now) -> None:
    """UPDATE the applications `ids` to `status` and write their field-history rows: what
    `bulk_update_with_history` records (history type "~", `by`, the reason "scores computed",
    `now`), without loading 10,000 wide rows into Python twice."""
    if not ids:
        return
    history = Application.history.model
    source = {field.attname: field.column for field in Application._meta.concrete_fields}
    tracked = [field for field in history.tracked_fields if field.attname in source]
    quote = connection.ops.quote_name
    table, pk = quote(Application._meta.db_table), quote(Application._meta.pk.column)
    status_column, updated_column = (quote(source[name]) for name in ("status", "updated_at"))
    into = ", ".join(quote(field.column) for field in tracked)
    select = ", ".join(quote(source[field.attname]) for field in tracked)
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    columns = ", ".join(quote(history._meta.get_field(name).column) for name in extra)
    insert = f"INSERT INTO {quote(history._meta.db_table)} ({into}, {columns}) "
    marks = [now, "scores computed", "~", by.pk]
    recorded = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    if connection.vendor == "postgresql" and recorded:
        # One statement: the UPDATE hands its new rows straight to the history INSERT.
        sql = (
            f"WITH changed AS (UPDATE {table} SET {status_column} = %s, "  # nosec B608
            f"{updated_column} = %s WHERE {pk} = ANY(%s) RETURNING {select}) "
            f"{insert} SELECT {select}, %s, %s, %s, %s FROM changed ORDER BY {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [status, now, list(ids), *marks])
        return
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        Application.objects.filter(pk__in=batch).update(status=status, updated_at=now)
        if not recorded:
            continue
        # Identifiers come from the models' _meta, values are parameters.
        sql = (
            f"{insert} SELECT {select}, %s, %s, %s, %s FROM {table} "  # nosec B608
            f"WHERE {pk} IN ({', '.join(['%s'] * len(batch))}) ORDER BY {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*marks, *batch])

"""Queries whose SQL Django builds once per process: each call runs the same SQL with its own ids.

On the busiest pages Django spends longer building and compiling a query of a few joins (resolving
each lookup, reusing joins, quoting every column: 1-3 ms) than PostgreSQL takes to answer it, and
every request asks the same shape of question with another user or application id. A `Prepared`
query is built by its function with stand-in ids, compiled once per database, and then run with
the real ids in place of the stand-ins; Django's own converters still read the rows (JSON,
decimals, dates on SQLite) and instances are made as `QuerySet` makes them (`select_related`
included).

The function must use each stand-in exactly once among the query's parameters and build the same
query whatever the ids are (a stand-in is compared with a column, never branched on): both are
checked when the query is compiled."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Ids no row has: negative, beyond any serial, distinct from every other parameter.
STAND_IN_BASE = -7_300_000_000


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self.build = build
        self.names = names
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str | None):
        compiled = self._compiled.get(alias)
        if compiled is not None:
            return compiled
        stand_ins = {name: STAND_IN_BASE - index for index, name in enumerate(self.names)}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=alias or queryset.db)
        sql, params = compiler.as_sql()
        positions = {}
        for name, value in stand_ins.items():
            found = [i for i, param in enumerate(params) if type(param) is int and param == value]
            if len(found) != 1:
                raise ValueError(f"{name} appears {len(found)} times in the query's parameters")
            positions[name] = found[0]
        compiled = (queryset, compiler, sql, tuple(params), positions)
        with self._lock:
            self._compiled[alias] = compiled
        return compiled

    def _run(self, ids: dict[str, int], alias: str | None):
        if set(ids) != set(self.names):
            raise TypeError(f"expected ids {self.names}, got {tuple(ids)}")
        queryset, compiler, sql, params, positions = self._compile(alias)
        values = list(params)
        for name, position in positions.items():
            values[position] = int(ids[name])
        with connections[compiler.using].cursor() as cursor:
            cursor.execute(sql, values)
            fetched = cursor.fetchall()
        return queryset, compiler, fetched

    def rows(self, alias: str | None = None, **ids: int) -> list[tuple]:
        """The rows of a `values_list()` query, as tuples."""
        _, compiler, fetched = self._run(ids, alias)
        return list(compiler.results_iter([fetched], tuple_expected=True))

    def instances(self, alias: str | None = None, **ids: int) -> list[Any]:
        """The model instances of the query, with their `select_related` objects (what
        `django.db.models.query.ModelIterable` makes of the same rows)."""
        queryset, compiler, fetched = self._run(ids, alias)
        return list(_instances(queryset, compiler, fetched))


def _instances(queryset: QuerySet, compiler, fetched: list[tuple]) -> Iterator[Any]:
    db = compiler.using
    select, klass_info = compiler.select, compiler.klass_info
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    for row in compiler.results_iter([fetched]):
        instance = model.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in compiler.annotation_col_map.items():
            setattr(instance, name, row[position])
        yield instance

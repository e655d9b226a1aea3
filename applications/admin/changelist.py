"""A changelist's rows drawn as Django's `items_for_result` draws them, byte for byte, with what
is the same for every row worked out once per page instead of once per cell: each column's
field or display function, its CSS class, whether it links, the empty value, and the change
URL with the preserved filters (Django reverses each row's URL and resolves it against the
whole URLconf to decide which filters to keep: the same answer for every row).
tests/applications/test_admin_list_markup.py holds the rows to Django's own."""

from __future__ import annotations

import copy
import datetime
import html
from urllib.parse import urlsplit

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import signals
from django.db.models.base import ModelState
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

PK_SENTINEL = "0"


class _Column:
    """What `items_for_result` works out for a column on every row, worked out once."""

    __slots__ = (
        "attr",
        "boolean",
        "choices",
        "classes",
        "classes_nowrap",
        "css",
        "default_empty",
        "empty",
        "fast",
        "field",
        "icons",
        "linked",
        "name",
    )

    def __init__(self, cl, index: int, name, linked: bool) -> None:
        self.name = name
        self.linked = linked
        self.empty = self.default_empty = cl.model_admin.get_empty_value_display()
        self.css = f"field-{_coerce_field_name(name, index)}"
        self.field = self.attr = None
        self.boolean = False
        self.fast = True
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if not callable(name) and hasattr(cl.model_admin, name) and name != "__str__":
                self.attr = getattr(cl.model_admin, name)
                self.empty = getattr(self.attr, "empty_value_display", self.empty)
                self.boolean = getattr(self.attr, "boolean", False)
            else:
                self.fast = False  # a model attribute or a callable: Django's own lookup
        if self.field is not None and self.field.auto_created:
            self.fast = False
        # `display_for_field` builds a dict of the choices for every cell; Django's boolean
        # icon looks up its static URL for every cell: both once per page here.
        self.choices = None
        if self.field is not None and getattr(self.field, "flatchoices", None):
            try:
                self.choices = dict(self.field.flatchoices)
            except TypeError:  # list-like choices: Django's own path
                self.choices = None
        self.icons = {}
        # The class attribute (as Django: not escaped); dates, times and keys do not wrap.
        classes = (
            ["action-checkbox"] if name == "action_checkbox" and self.field is None else [self.css]
        )
        if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes.append("nowrap")
        self.classes = f' class="{" ".join(classes)}"'
        self.classes_nowrap = f' class="{" ".join([*classes, "nowrap"])}"'

    def _value_repr(self, value, empty):
        if self.boolean:
            if value not in self.icons:
                self.icons[value] = display_for_value(value, empty, True)
            return self.icons[value]
        if value and type(value) in _TEXT:  # what display_for_value returns for text
            return value
        return display_for_value(value, empty, False)

    def cell(self, result):
        """The cell's class attribute and its content, as `items_for_result` computes them."""
        empty = self.empty
        value = self.attr(result) if self.attr is not None else getattr(result, self.name)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        f = self.field
        if f is None:
            result_repr = self._value_repr(value, empty)
            if isinstance(value, (datetime.date, datetime.time)):
                return self.classes_nowrap, result_repr
            return self.classes, result_repr
        if isinstance(f.remote_field, models.ManyToOneRel):
            field_val = getattr(result, f.name)
            result_repr = empty if field_val is None else field_val
        elif self.choices is not None:
            try:
                result_repr = self.choices.get(value, empty)
            except TypeError:
                result_repr = display_for_field(value, f, empty, avoid_link=self.linked)
        else:
            result_repr = display_for_field(value, f, empty, avoid_link=self.linked)
        return self.classes, result_repr


# Text that display_for_value returns as it is and conditional_escape escapes as plain text
# (str) or leaves alone (SafeString).
_TEXT = (str, SafeString)


def _escaped(value) -> str:
    """conditional_escape(value), without its lazy-text wrapper for the two common kinds."""
    kind = type(value)
    if kind is str:
        return html.escape(value)  # what django.utils.html.escape does
    if kind is SafeString:
        return value
    return conditional_escape(value)


def _links(cl) -> list[bool]:
    """`items_for_result`'s `link_in_col` for each column (the first link is a <th>)."""
    links = cl.list_display_links
    linked = []
    first = True
    for name in cl.list_display:
        if links is None:
            is_link = False
        elif first and not links:
            is_link = True
        else:
            is_link = name in links
        if is_link:
            first = False
        linked.append(is_link)
    return linked


def _url_maker(cl):
    """Each row's change URL with the preserved filters, escaped for an attribute, from one
    reverse() and one resolve(): None when the rows' URLs cannot be made that way (Django's
    per-row path is used)."""
    if cl.to_field or cl.is_popup:
        return None
    opts = cl.opts
    try:
        sample = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(PK_SENTINEL,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    prefix, found, suffix = sample.rpartition(f"/{PK_SENTINEL}/")
    if not found:
        return None
    query = urlsplit(
        add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, sample)
    ).query
    # Escaped once: an integer key needs no escaping.
    prefix = conditional_escape(prefix)
    tail = conditional_escape(f"/{suffix}" + (f"?{query}" if query else ""))
    pk_name = cl.lookup_opts.pk.attname

    def url(result) -> str | None:
        pk = getattr(result, pk_name)
        if not isinstance(pk, int):
            return None
        return f"{prefix}/{quote(pk)}{tail}"

    return url


def rows(cl):
    """Each result's row as one piece of markup (a `ResultList` of one item: the template
    joins a row's items with nothing between them), the same as `results(cl)` draws."""
    if cl.formset:
        yield from (
            ResultList(form, items_for_result(cl, res, form))
            for res, form in zip(cl.result_list, cl.formset.forms, strict=False)
        )
        return
    columns = [
        _Column(cl, index, name, linked)
        for index, (name, linked) in enumerate(zip(cl.list_display, _links(cl), strict=True))
    ]
    if not all(column.fast for column in columns):
        yield from (ResultList(None, items_for_result(cl, res, None)) for res in cl.result_list)
        return
    url_for = _url_maker(cl)
    if url_for is None:
        yield from (ResultList(None, items_for_result(cl, res, None)) for res in cl.result_list)
        return
    for result in cl.result_list:
        url = url_for(result)
        if url is None:
            yield ResultList(None, items_for_result(cl, result, None))
            continue
        cells = []
        first = True
        for column in columns:
            try:
                row_class, result_repr = column.cell(result)
            except ObjectDoesNotExist:
                row_class, result_repr = f' class="{column.css}"', column.default_empty
            if column.linked:
                tag = "th" if first else "td"
                first = False
                cells.append(
                    f'<{tag}{row_class}><a href="{url}">{_escaped(result_repr)}</a></{tag}>'
                )
            else:
                cells.append(f"<td{row_class}>{_escaped(result_repr)}</td>")
        yield ResultList(None, [mark_safe("".join(cells))])  # nosec B308 B703: escaped above


def result_list(cl) -> dict:
    """`admin_list.result_list`'s context with the rows from `rows()`, and (without a formset)
    the table's body as the template's row loop draws it (`body`: the application list's
    change_list_results.html puts it in place of the loop)."""
    headers = list(result_headers(cl))
    results = list(rows(cl))
    body = None
    if not cl.formset:
        # The loop's text per row: a newline, the empty errors block, a newline, the row.
        markup = "".join([f"\n\n<tr>{''.join(result)}</tr>\n" for result in results])
        body = mark_safe(markup)  # nosec B308 B703: every row escaped by rows()
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": results,
        "body": body,
    }


def _instance(model, db: str, attrs: dict):
    """A row as `Model.from_db` makes it when only `attrs` are loaded (the rest deferred),
    without walking every field of a wide model (`from_db` lists all 63 of an application's
    fields, loaded or not, for each row; a third of the list's time)."""
    obj = model.__new__(model)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = db
    obj.__dict__.update(attrs)
    return obj


def light_results(queryset, columns) -> list:
    """The page's rows as the queryset's `.only(*columns)` with the columns' relations
    (`"agency__legal_name"`: the agency, its pk and that column) loaded, as select_related
    loads them, from one `.values()` query: the same rows, the same values, the same deferred
    fields (loaded on access), without building each instance field by field."""
    model = queryset.model
    opts = model._meta
    if any(
        signals.pre_init.has_listeners(m) or signals.post_init.has_listeners(m)
        for m in (model, *(opts.get_field(c.split("__")[0]).related_model for c in columns))
        if m is not None
    ):
        return list(queryset)  # someone listens for instances being made: make them properly
    own = {opts.pk.attname: opts.pk.attname}
    related: dict[str, dict[str, str]] = {}
    for column in columns:
        name, _, remote = column.partition("__")
        field = opts.get_field(name)
        if remote:
            target = field.related_model._meta.get_field(remote)
            related.setdefault(name, {})[column] = target.attname
        else:
            own[field.attname] = field.attname
    for name in related:
        field = opts.get_field(name)
        if field.target_field != field.related_model._meta.pk:
            return list(queryset)  # a key to another column: select_related's own way
        own[field.attname] = field.attname
    db = queryset.db
    results = []
    for row in queryset.values(*own, *(c for columns in related.values() for c in columns)):
        obj = _instance(model, db, {attname: row[attname] for attname in own})
        for name, remote_columns in related.items():
            field = opts.get_field(name)
            key = row[field.attname]
            target = field.related_model
            value = None
            if key is not None:
                attrs = {target._meta.pk.attname: key}
                attrs.update((attname, row[c]) for c, attname in remote_columns.items())
                value = _instance(target, db, attrs)
            field.set_cached_value(obj, value)
        results.append(obj)
    return results


class CountWithRange:
    """The list's queryset as the paginator reads it: its count() also reads the first and
    last dates of the date hierarchy's field, in the same query (the hierarchy asks for them
    next: `date_hierarchy` below takes them from `range`). Anything else goes to the queryset."""

    def __init__(self, queryset, field_name: str) -> None:
        self._queryset = queryset
        self._field_name = field_name
        self.range: dict | None = None

    def count(self) -> int:
        values = self._queryset.aggregate(
            count=models.Count("*"),
            first=models.Min(self._field_name),
            last=models.Max(self._field_name),
        )
        self.range = {"first": values["first"], "last": values["last"]}
        return values["count"]

    def __getitem__(self, key):
        return self._queryset[key]

    def __getattr__(self, name):
        return getattr(self._queryset, name)


class _YearsFromRange:
    """The changelist's queryset as Django's `date_hierarchy` reads it: the first and last
    dates from the count's query when it read them (`CountWithRange`), and the years query (a
    DISTINCT over every row's date) answered from those when they are in adjacent years: then
    both years have rows and no other year can. Anything else goes to the queryset."""

    def __init__(self, queryset, field_name: str, known: dict | None = None) -> None:
        self._queryset = queryset
        self._field_name = field_name
        self._known = known
        self._range: dict = {}

    def _asks_for_known(self, args, kwargs) -> bool:
        if self._known is None or args or set(kwargs) != {"first", "last"}:
            return False
        expected = {"first": models.Min, "last": models.Max}
        for key, kind in expected.items():
            source, *rest = kwargs[key].get_source_expressions()  # then no filter, no order
            if type(kwargs[key]) is not kind or any(e is not None for e in rest):
                return False
            if not isinstance(source, models.F) or source.name != self._field_name:
                return False
        return True

    def aggregate(self, *args, **kwargs):
        if self._asks_for_known(args, kwargs):
            self._range = dict(self._known)
        else:
            self._range = self._queryset.aggregate(*args, **kwargs)
        return self._range

    def datetimes(self, field_name, kind, *args, **kwargs):
        first, last = self._range.get("first"), self._range.get("last")
        if kind == "year" and not args and not kwargs and first and last:
            first, last = (
                timezone.localtime(v) if timezone.is_aware(v) else v for v in (first, last)
            )
            if last.year - first.year == 1:
                return [datetime.datetime(first.year, 1, 1), datetime.datetime(last.year, 1, 1)]
        return self._queryset.datetimes(field_name, kind, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._queryset, name)


def date_hierarchy(cl):
    """Django's `date_hierarchy(cl)`, the same context, with the first and last dates the
    count read (`CountWithRange`, when the changelist kept them as `date_range`) and without
    the years query when those dates tell the years (`_YearsFromRange`)."""
    if not cl.date_hierarchy:
        return admin_list.date_hierarchy(cl)
    reading = copy.copy(cl)
    reading.queryset = _YearsFromRange(
        cl.queryset, cl.date_hierarchy, getattr(cl, "date_range", None)
    )
    return admin_list.date_hierarchy(reading)

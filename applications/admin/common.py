"""Pieces the app's admin pages share: a dropdown list filter for long lists, and staff actions
on one record as their own page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from ..states import State


def warning(text: str) -> str:
    """Bold text behind the admin's own warning icon (no inline style: the CSP allows none)."""
    return format_html(
        '<img src="{}" alt="Warning:" width="14" height="14"> <strong>{}</strong>',
        static("admin/img/icon-alert.svg"),
        text,
    )


class DropdownFilter(admin.SimpleListFilter):
    """A list filter drawn as a <select> with a Filter button, for lists too long to show as
    links (56 states and territories). A plain GET form: it needs no script, which the CSP
    would refuse, and keeps the other filters, the search and the sort as hidden fields."""

    template = "admin/dropdown_filter.html"

    def choices(self, changelist):
        self.other_params = sorted(
            (name, value)
            for name, value in changelist.params.items()
            if name != self.parameter_name
        )
        yield {"value": "", "selected": not self.value(), "display": "All"}
        for value, label in self.lookup_choices:
            yield {"value": value, "selected": self.value() == str(value), "display": label}


class StateFilter(DropdownFilter):
    """The states that have records in this list, by name."""

    title = "state"
    # The field's path: the admin accepts a related lookup only under that name.
    parameter_name = field = "state"

    def lookups(self, request, model_admin):
        used = used_states(model_admin.model, self.field)
        return [(code, f"{name} ({code})") for code, name in State.choices if code in used]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class AgencyStateFilter(StateFilter):
    parameter_name = field = "agency__state"


def used_states(model, field: str) -> set[str]:
    """The state codes that `model`'s rows have at `field` ("state", or "fk__state" one
    relation away): the same answer as a DISTINCT over every row, from one index probe per
    known state (the agency.state index) instead of reading the whole table."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    opts = model._meta
    if "__" in field:
        relation, column = field.split("__")
        foreign_key = opts.get_field(relation)
        target = foreign_key.related_model._meta
        rows = (
            f"{qn(opts.db_table)} JOIN {qn(target.db_table)} ON "
            f"{qn(opts.db_table)}.{qn(foreign_key.column)} = "
            f"{qn(target.db_table)}.{qn(target.pk.column)}"
        )
        state = f"{qn(target.db_table)}.{qn(target.get_field(column).column)}"
    else:
        rows = qn(opts.db_table)
        state = f"{qn(opts.db_table)}.{qn(opts.get_field(field).column)}"
    codes = State.values
    # VALUES names its column "column1" in PostgreSQL and SQLite alike. Only quoted table and
    # column names from the models go into the text; the state codes are parameters.
    values = f"VALUES {', '.join(['(%s)'] * len(codes))}"
    probe = f"SELECT 1 FROM {rows} WHERE {state} = known.column1"  # nosec B608
    sql = f"SELECT known.column1 FROM ({values}) known WHERE EXISTS ({probe})"  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, codes)
        return {code for (code,) in cursor.fetchall()}


class ObjectActionMixin:
    """A staff action on one record as its own page (`<id>/<action>/`): a form, then a service
    call, then back to the record. The change page links to it; the list's action of the same
    name leads to it when exactly one row is ticked."""

    def action_page(
        self,
        request: HttpRequest,
        *,
        obj,
        form_class: type[forms.Form],
        title: str,
        intro: str,
        submit: str,
        perform: Callable[[dict[str, Any]], object],
        done: str,
        error: type[Exception],
    ) -> HttpResponse:
        change_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(form.cleaned_data)
            except error as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/applications/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "subtitle": str(obj),
                "intro": intro,
                "submit": submit,
                "form": form,
                "object": obj,
                "opts": self.model._meta,
                "change_url": change_url,
            },
        )

    def _one_selected(self, request, queryset, url_name: str, message: str):
        if queryset.count() != 1:
            self.message_user(request, message, messages.ERROR)
            return None
        return redirect(reverse(url_name, args=[queryset.get().pk]))

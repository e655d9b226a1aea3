"""The agency's side of an accepted award's implementation: the officer hire report and the
drawdown request. Both ask `services.can_implement` first: when it says no (not a member, not
accepted, withheld) the page shows the reason instead of a form, and a POST is refused with
the same reason. Another agency's award is a 404."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .budget import format_dollars
from .forms_implementation import DrawdownForm, HireForm
from .models import Award
from .views_awards import _award


def _implementation_page(
    request: HttpRequest,
    pk: int,
    *,
    template: str,
    make_form: Callable[[dict | None, Award], forms.Form],
    perform: Callable[[Award, dict], str],
) -> HttpResponse:
    award = _award(request, pk)
    allowed, reason = services.can_implement(request.user, award)
    form = make_form(request.POST if request.method == "POST" else None, award) if allowed else None
    status = 200
    if request.method == "POST":
        if not allowed:
            status = 403
        elif form.is_valid():
            try:
                done = perform(award, form.cleaned_data)
            except services.ImplementationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, done)
                return redirect("applications:award_detail", pk=award.pk)
        if form is not None and form.errors:
            status = 400
    return render(
        request,
        template,
        {"award": award, "allowed": allowed, "reason": reason, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def hire_new(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(award: Award, data: dict) -> str:
        hire = services.report_hire(award=award, by=request.user, **data)
        return f"{hire.name} is reported as hired."

    return _implementation_page(
        request,
        pk,
        template="applications/hire_form.html",
        make_form=lambda data, award: HireForm(data, award=award),
        perform=perform,
    )


@require_http_methods(["GET", "POST"])
def drawdown_new(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(award: Award, data: dict) -> str:
        drawdown = services.request_drawdown(award=award, by=request.user, **data)
        return (
            f"Drawdown {drawdown.number} of {format_dollars(drawdown.amount)} is requested. "
            "COPS will review it."
        )

    return _implementation_page(
        request,
        pk,
        template="applications/drawdown_form.html",
        make_form=lambda data, award: DrawdownForm(data),
        perform=perform,
    )

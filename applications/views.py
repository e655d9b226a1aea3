from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from copsgrants.audit import AuditEvent

from . import services
from .forms import (
    AGENCY_FIELDS,
    AgencyForm,
    AgencyRegistrationForm,
    ApproveMembershipForm,
    FindAgencyForm,
)
from .models import Agency, Membership


def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .exclude(status=Membership.Status.DECLINED)
        .select_related("agency")
    )
    return render(request, "applications/dashboard.html", {"memberships": memberships})


def agency_create(request: HttpRequest) -> HttpResponse:
    form = AgencyRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.register_agency(
                by=request.user,
                fields={name: form.cleaned_data[name] for name in AGENCY_FIELDS},
                is_authorized_representative=form.cleaned_data["is_authorized_representative"],
            )
        except services.DuplicateAgency as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{agency.legal_name} is registered. You are its administrator."
            )
            return redirect("applications:agency_detail", pk=agency.pk)
    return render(request, "applications/agency_form.html", {"form": form, "creating": True})


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.for_user(request.user), pk=pk)
    can_edit, edit_reason = services.can_edit_agency(request.user, agency)
    can_manage, _ = services.can_manage_members(request.user, agency)
    members = agency.memberships.select_related("user").order_by("status", "user__email")
    context = {
        "agency": agency,
        "can_edit": can_edit,
        "edit_reason": edit_reason,
        "can_manage": can_manage,
        "active_members": [m for m in members if m.status == Membership.Status.ACTIVE],
        "pending_members": [m for m in members if m.status == Membership.Status.PENDING]
        if can_manage
        else [],
        "approve_form": ApproveMembershipForm(),
        "events": AuditEvent.objects.for_object(agency).select_related("actor")[:10],
    }
    return render(request, "applications/agency_detail.html", context)


def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.for_user(request.user), pk=pk)
    allowed, reason = services.can_edit_agency(request.user, agency)
    if not allowed:
        messages.error(request, reason)
        return redirect("applications:agency_detail", pk=agency.pk)
    form = AgencyForm(
        request.POST if request.method == "POST" else None,
        instance=Agency.objects.get(pk=agency.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(
                agency=agency,
                by=request.user,
                fields={name: form.cleaned_data[name] for name in AGENCY_FIELDS},
            )
        except services.DuplicateAgency as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The agency's profile is saved.")
            return redirect("applications:agency_detail", pk=agency.pk)
    return render(
        request,
        "applications/agency_form.html",
        {"form": form, "agency": agency, "creating": False},
    )


def agency_find(request: HttpRequest) -> HttpResponse:
    form = FindAgencyForm(request.GET or None)
    agency = None
    searched = form.is_bound and form.is_valid()
    if searched:
        agency = form.find()
    return render(
        request,
        "applications/agency_find.html",
        {"form": form, "agency": agency, "searched": searched},
    )


@require_POST
def agency_join(request: HttpRequest, pk: int) -> HttpResponse:
    # Any registered agency can be asked; what it holds stays hidden until the request is approved.
    agency = get_object_or_404(Agency, pk=pk)
    try:
        services.request_membership(user=request.user, agency=agency)
    except services.MembershipError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            f"Your request to join {agency.legal_name} is sent. Its administrators will review it; "
            "we will email you their decision.",
        )
    return redirect("dashboard")


def _pending_membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    agency = get_object_or_404(Agency.objects.for_user(request.user), pk=pk)
    return get_object_or_404(agency.memberships.select_related("user", "agency"), pk=membership_pk)


@require_POST
def membership_approve(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _pending_membership(request, pk, membership_pk)
    form = ApproveMembershipForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    try:
        services.approve_membership(
            membership=membership,
            by=request.user,
            authorized_representative=form.cleaned_data.get("authorized_representative", False),
        )
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} is now a member of the agency.")
    return redirect("applications:agency_detail", pk=pk)


@require_POST
def membership_decline(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _pending_membership(request, pk, membership_pk)
    try:
        services.decline_membership(membership=membership, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The request from {membership.user} is declined.")
    return redirect("applications:agency_detail", pk=pk)

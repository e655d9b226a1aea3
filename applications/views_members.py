"""An agency administrator's decisions on the agency's members: approving or declining a
request to join, changing a member's roles, removing a member. Other members see why they may
not (a POST from them is a 403); anyone outside the agency gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import ApproveMembershipForm, MemberRolesForm
from .models import Membership, membership_or_404, require_agency_role


def _agency_membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    """The agency's membership `membership_pk`; a POST (a decision on it) only for an agency
    administrator: a 403 for other members, a 404 for everyone else."""
    agency = membership_or_404(request.user, pk).agency
    membership = get_object_or_404(
        agency.memberships.select_related("user", "agency"), pk=membership_pk
    )
    if request.method == "POST":
        require_agency_role(
            request.user, agency, administrator=True, action="manage the agency's members"
        )
    return membership


@require_POST
def membership_approve(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _agency_membership(request, pk, membership_pk)
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
def membership_roles(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _agency_membership(request, pk, membership_pk)
    form = MemberRolesForm(request.POST)
    form.is_valid()  # two optional checkboxes: always valid
    try:
        services.change_member_roles(
            membership=membership,
            by=request.user,
            is_administrator=form.cleaned_data.get("is_administrator", False),
            is_authorized_representative=form.cleaned_data.get(
                "is_authorized_representative", False
            ),
        )
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Roles of {membership.user} are saved.")
    return redirect("applications:agency_detail", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _agency_membership(request, pk, membership_pk)
    if request.method != "POST":
        if membership.status != Membership.Status.ACTIVE:
            raise Http404("No such member")
        allowed, reason = services.can_remove_member(request.user, membership)
        return render(
            request,
            "applications/membership_remove.html",
            {
                "membership": membership,
                "agency": membership.agency,
                "allowed": allowed,
                "reason": reason,
                "is_self": membership.user == request.user,
            },
        )
    try:
        services.remove_member(membership=membership, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("applications:agency_detail", pk=pk)
    messages.success(request, f"{membership.user} is no longer a member of the agency.")
    if membership.user == request.user:
        return redirect("applications:dashboard")
    return redirect("applications:agency_detail", pk=pk)


@require_POST
def membership_decline(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _agency_membership(request, pk, membership_pk)
    try:
        services.decline_membership(membership=membership, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The request from {membership.user} is declined.")
    return redirect("applications:agency_detail", pk=pk)

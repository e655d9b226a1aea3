"""The agency's side of an award: the award page, the letter download, signing the acceptance,
declining, and the award file. Members of the agency reach an award; everyone else gets a 404.
Letters and the award file stream from private storage through these views only; COPS staff
who may view awards in the admin may download them too."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .award_file import build_award_file, letter_filename
from .forms_awards import AcceptanceForm, DeclineForm
from .models import Agency, Award, AwardLetter, active_membership, require_agency_role
from .panels import award_panels
from .services.acceptance import SIGNATURES_REQUIRED

ANSWER = "accept or decline an award"


def awards_for(user):
    """Awards of the agencies the user is an active member of (the one access rule)."""
    return Award.objects.filter(agency__in=Agency.objects.for_user(user))


def _award(request: HttpRequest, pk: int) -> Award:
    return get_object_or_404(
        awards_for(request.user).select_related("agency", "solicitation", "application"), pk=pk
    )


def _downloadable(request: HttpRequest, pk: int, perm: str) -> Award:
    """The award, for its agency's members or staff holding `perm`; a 404 for anyone else."""
    if request.user.is_staff and request.user.has_perm(perm):
        return get_object_or_404(Award.objects.select_related("agency"), pk=pk)
    return _award(request, pk)


def _page(request, award: Award, *, form: AcceptanceForm | None = None, status: int = 200):
    now = timezone.now()
    can_sign, sign_reason = services.can_sign_acceptance(request.user, award, now)
    can_decline, _ = services.can_decline_award(request.user, award, now)
    signatures = list(award.signatures.select_related("user"))
    letters = list(award.letters.order_by("-version"))
    can_implement, implement_reason = services.can_implement(request.user, award)
    return render(
        request,
        "applications/award_detail.html",
        {
            "award": award,
            "letters": letters,
            "current_letter": next(
                (x for x in letters if x.status == AwardLetter.Status.READY), None
            ),
            "conditions": award.conditions.all(),
            "panels": award_panels(request, award),
            "signatures": signatures,
            "signatures_needed": max(SIGNATURES_REQUIRED - len(signatures), 0),
            "can_sign": can_sign,
            "sign_reason": sign_reason,
            "can_decline": can_decline,
            "form": form or AcceptanceForm(user=request.user),
            "membership": active_membership(request.user, award.agency),
            # The Implementation section (accepted awards): hires, drawdowns, their totals.
            "can_implement": can_implement,
            "implement_reason": implement_reason,
            "hires": award.hires.all(),
            "drawdowns": award.drawdowns.order_by("number"),
            "drawdown_totals": services.drawdown_totals(award),
        },
        status=status,
    )


def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _award(request, pk))


def award_letter_download(request: HttpRequest, pk: int, version: int) -> FileResponse:
    award = _downloadable(request, pk, "applications.view_awardletter")
    letter = get_object_or_404(
        award.letters.select_related("award"), version=version, status=AwardLetter.Status.READY
    )
    if not letter.file:
        raise Http404("The letter file is missing.")
    response = FileResponse(
        letter.file.open("rb"),
        as_attachment=True,
        filename=letter_filename(letter),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def award_file(request: HttpRequest, pk: int) -> HttpResponse:
    award = _downloadable(request, pk, "applications.view_award")
    response = HttpResponse(build_award_file(award), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{award.number}-award-file.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def award_sign(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    require_agency_role(request.user, award.agency, representative=True, action=ANSWER)
    form = AcceptanceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, award, form=form, status=400)
    try:
        services.sign_acceptance(
            award=award,
            by=request.user,
            typed_name=form.cleaned_data["typed_name"],
            ip=request.META.get("REMOTE_ADDR"),
        )
    except services.AcceptanceError as exc:
        messages.error(request, str(exc))
        return redirect("applications:award_detail", pk=award.pk)
    award.refresh_from_db()
    if award.status == Award.Status.ACCEPTED:
        messages.success(request, f"{award.agency.legal_name} has accepted award {award.number}.")
    else:
        messages.success(
            request,
            "Your signature is recorded. A second Authorized Representative must also sign "
            "before the deadline to accept the award.",
        )
    return redirect("applications:award_detail", pk=award.pk)


@require_http_methods(["GET", "POST"])
def award_decline(request: HttpRequest, pk: int) -> HttpResponse:
    award = _award(request, pk)
    allowed, reason = services.can_decline_award(request.user, award)
    if request.method == "POST":
        require_agency_role(request.user, award.agency, representative=True, action=ANSWER)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_award(award=award, by=request.user, reason=form.cleaned_data["reason"])
        except services.AcceptanceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Award {award.number} is declined.")
        return redirect("applications:award_detail", pk=award.pk)
    return render(
        request,
        "applications/award_decline.html",
        {"award": award, "allowed": allowed, "reason": reason, "form": form},
        status=400 if form.errors else 200,
    )

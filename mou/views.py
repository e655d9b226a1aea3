"""The agency's MOU pages: the MOU page of an SRO award (status, every version with its review
outcome, the upload form), a version's download and the guide PDF. An award of another agency,
or one that is not an SRO award, is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from applications.models import Award
from applications.services.implementation import withholding
from applications.views_awards import awards_for
from copsgrants.pdf import render_pdf
from copsgrants.uploads import oversized_fields

from . import services
from .forms import MouUploadForm
from .models import Element, MouVersion

VIEW_PERMISSION = "mou.view_mouversion"


def _sro_award(request: HttpRequest, pk: int) -> Award:
    """The user's agency's SRO award, or a 404."""
    return get_object_or_404(
        awards_for(request.user).select_related("agency", "solicitation", "application"),
        pk=pk,
        is_sro=True,
    )


def _downloadable(request: HttpRequest, pk: int) -> Award:
    """The SRO award for its agency's members or staff who may view MOUs; a 404 for others."""
    if request.user.is_staff and request.user.has_perm(VIEW_PERMISSION):
        return get_object_or_404(Award.objects.select_related("agency"), pk=pk, is_sro=True)
    return _sro_award(request, pk)


def _page(request: HttpRequest, award: Award, form: MouUploadForm, status: int = 200):
    can_upload, reason = services.can_upload_mou(request.user, award)
    return render(
        request,
        "mou/award_mou.html",
        {
            "award": award,
            "summary": services.mou_summary(award),
            "withheld": withholding(award),
            "can_upload": can_upload,
            "upload_reason": reason,
            "form": form,
            "elements": Element,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def award_mou(request: HttpRequest, pk: int) -> HttpResponse:
    award = _sro_award(request, pk)
    if request.method != "POST":
        return _page(request, award, MouUploadForm(award=award))
    allowed, reason = services.can_upload_mou(request.user, award)
    if not allowed:
        messages.error(request, reason)
        return redirect("mou:award_mou", pk=award.pk)
    form = MouUploadForm(
        request.POST,
        request.FILES,
        award=award,
        oversized="file" in oversized_fields(request),
    )
    if not form.is_valid():
        return _page(request, award, form, status=400)
    data = form.cleaned_data
    try:
        mou = services.upload_mou(
            award=award,
            by=request.user,
            file=data["file"],
            school_district=data["school_district"],
            schools=data["schools"],
            agency_signatory=data["agency_signatory"],
            agency_signed_on=data["agency_signed_on"],
            school_signatory=data["school_signatory"],
            school_signed_on=data["school_signed_on"],
            note=data["note"],
            facts=form.facts,
        )
    except services.MouError as exc:
        form.add_error("file", str(exc))
        return _page(request, award, form, status=400)
    messages.success(
        request,
        f"Version {mou.version} of the MOU is uploaded. COPS will review it and email you the "
        "outcome.",
    )
    return redirect("mou:award_mou", pk=award.pk)


def mou_download(request: HttpRequest, pk: int, version: int) -> FileResponse:
    award = _downloadable(request, pk)
    mou = get_object_or_404(MouVersion.objects.filter(award=award), version=version)
    if not mou.file:
        raise Http404("The MOU file is missing.")
    response = FileResponse(
        mou.file.open("rb"),
        as_attachment=True,
        filename=mou.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def mou_guide(request: HttpRequest) -> HttpResponse:
    pdf = render_pdf("pdf/mou_guide.html", {"elements": Element})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="SRO-MOU-guide.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

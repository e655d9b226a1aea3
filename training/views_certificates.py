"""Certificates outside the admin: the download (members of the officer's agency, or staff who
may view certificates; a 404 for anyone else) and the public "verify a certificate" page, which
shows only what the certificate itself states."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from applications.models import Agency

from . import certificates
from .models import Certificate


def certificates_for(user):
    """Certificates of officers of the agencies the user is an active member of."""
    return Certificate.objects.filter(enrollment__officer__agency__in=Agency.objects.for_user(user))


@require_GET
def certificate_download(request: HttpRequest, pk: int) -> FileResponse:
    user = request.user
    if user.is_staff and user.has_perm("training.view_certificate"):
        queryset = Certificate.objects.all()
    else:
        queryset = certificates_for(user)
    certificate = get_object_or_404(
        queryset.select_related("enrollment__officer", "enrollment__session__course"),
        pk=pk,
        status=Certificate.Status.READY,
    )
    if not certificate.file:
        raise Http404("The certificate file is missing.")
    response = FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=certificates.download_name(certificate),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class VerifyCertificateForm(forms.Form):
    code = forms.CharField(
        label="Verification code",
        max_length=40,
        help_text="As printed at the foot of the certificate, for example TRN-7K3P-QX9M-2HZD.",
        widget=forms.TextInput(attrs={"class": "usa-input--medium"}),
        error_messages={"required": "Enter the verification code printed on the certificate."},
    )


@login_not_required
@require_GET
def verify_certificate(request: HttpRequest) -> HttpResponse:
    form = VerifyCertificateForm(request.GET or None)
    checked = form.is_bound and form.is_valid()
    certificate = certificates.verify(form.cleaned_data["code"]) if checked else None
    return render(
        request,
        "training/verify_certificate.html",
        {
            "form": form,
            "checked": checked,
            "certificate": certificate,
            "facts": certificates.certificate_context(certificate) if certificate else None,
        },
    )

"""Certificate URLs outside the admin, under /training/ (training/urls.py holds the rest of the
training pages; a second include needs its own namespace)."""

from django.urls import path

from . import views_certificates

app_name = "training_certificates"

urlpatterns = [
    path(
        "certificates/<int:pk>/download/",
        views_certificates.certificate_download,
        name="certificate_download",
    ),
    path("certificates/verify/", views_certificates.verify_certificate, name="verify"),
]

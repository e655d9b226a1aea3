from django.urls import path

from . import views, views_awards, views_implementation, views_members, views_verify

app_name = "applications"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("letters/verify/", views_verify.verify_letter, name="verify_letter"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/find/", views.agency_find, name="agency_find"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/join/", views.agency_join, name="agency_join"),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/approve/",
        views_members.membership_approve,
        name="membership_approve",
    ),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/roles/",
        views_members.membership_roles,
        name="membership_roles",
    ),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/remove/",
        views_members.membership_remove,
        name="membership_remove",
    ),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/decline/",
        views_members.membership_decline,
        name="membership_decline",
    ),
    path("solicitations/", views.solicitation_list, name="solicitation_list"),
    path("solicitations/<int:pk>/", views.solicitation_detail, name="solicitation_detail"),
    path("solicitations/<int:pk>/start/", views.application_start, name="application_start"),
    path("applications/<int:pk>/", views.application_overview, name="application_overview"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("awards/<int:pk>/", views_awards.award_detail, name="award_detail"),
    path(
        "awards/<int:pk>/letters/<int:version>/",
        views_awards.award_letter_download,
        name="award_letter_download",
    ),
    path("awards/<int:pk>/sign/", views_awards.award_sign, name="award_sign"),
    path("awards/<int:pk>/decline/", views_awards.award_decline, name="award_decline"),
    path("awards/<int:pk>/file/", views_awards.award_file, name="award_file"),
    path("awards/<int:pk>/hires/new/", views_implementation.hire_new, name="hire_new"),
    path("awards/<int:pk>/drawdowns/new/", views_implementation.drawdown_new, name="drawdown_new"),
    path(
        "applications/<int:pk>/<slug:slug>/",
        views.application_section,
        name="application_section",
    ),
]

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/find/", views.agency_find, name="agency_find"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/join/", views.agency_join, name="agency_join"),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/approve/",
        views.membership_approve,
        name="membership_approve",
    ),
    path(
        "agencies/<int:pk>/members/<int:membership_pk>/decline/",
        views.membership_decline,
        name="membership_decline",
    ),
]

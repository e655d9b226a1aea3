from django.urls import path

from . import views, views_roster

app_name = "training"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("officers/", views_roster.roster, name="roster"),
    path("officers/new/", views_roster.officer_add, name="officer_add"),
    path("officers/<int:pk>/", views_roster.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/edit/", views_roster.officer_edit, name="officer_edit"),
    path("officers/<int:pk>/remove/", views_roster.officer_remove, name="officer_remove"),
    path(
        "enrollments/<int:pk>/cancel/",
        views_roster.enrollment_cancel,
        name="enrollment_cancel",
    ),
]

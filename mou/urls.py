from django.urls import path

from . import views

app_name = "mou"

urlpatterns = [
    path("awards/<int:pk>/mou/", views.award_mou, name="award_mou"),
    path("awards/<int:pk>/mou/<int:version>/", views.mou_download, name="mou_download"),
    path("mou/guide.pdf", views.mou_guide, name="guide"),
]

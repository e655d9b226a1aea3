"""The admin application list draws its row checkboxes itself (no widget template per row): the
markup must be Django's own, escaping included."""

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.urls import reverse

from applications.models import Application
from tests.factories import AgencyFactory, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_row_checkbox_is_the_markup_django_draws(signed_in):
    application = ApplicationFactory(
        agency=AgencyFactory(legal_name='Smith & O\'Neil <County> "PD"'),
        submitted=True,
        tracking_number="CHP26-000321",
    )
    model_admin = admin.site._registry[Application]
    django_markup = ModelAdmin.action_checkbox(model_admin, application)
    assert model_admin.action_checkbox(application) == django_markup

    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:applications_application_changelist")).text
    assert str(django_markup) in html

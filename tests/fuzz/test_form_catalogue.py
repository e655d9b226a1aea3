"""The catalogue of POST forms (form_catalogue.py) is complete: every URL of the site and the
admin is opened as the persona who would use it, and a page with a POST form that the catalogue
does not list fails the test."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import resolve

from tests.copsgrants.test_security import ROUTES

from .form_catalogue import ADMIN_CUSTOM, CATALOGUE, NOT_FUZZED, SITE, page_form, page_forms
from .world import World, build_world

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(
            getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
        )
    return client


SITE_OBJECTS = {
    "agencies/": lambda w: w.agency.pk,
    "applications/": lambda w: w.draft.pk,
    "awards/": lambda w: w.offered.pk,
    "solicitations/": lambda w: w.solicitation.pk,
    "training/sessions/": lambda w: w.session.pk,
    "training/officers/": lambda w: w.officer.pk,
    "training/enrollments/": lambda w: w.enrollment.pk,
    "training/certificates/": lambda w: 1,
}
EXTRA_ARGS = {
    "membership_pk": lambda w: w.joiner.pk,
    "slug": lambda w: "eligibility",
    "version": lambda w: 1,
    "plan_id": lambda w: w.plan.pk,
    "solicitation_id": lambda w: w.plan.solicitation_id,
    "application_id": lambda w: 1,
    "uidb64": lambda w: "x",
    "token": lambda w: "x",
    "id": lambda w: w.applicant.pk,
}


def fill(route: str, world: World) -> str | None:
    """A concrete URL for a route not in the catalogue, or None for regex routes."""
    if "(?P" in route or "^" in route:
        return None
    admin_object = re.match(r"admin/(\w+)/(\w+)/<path:object_id>/", route)
    if admin_object:
        model = apps.get_model(admin_object[1], admin_object[2])
        row = model._default_manager.order_by("pk").first()
        route = route.replace("<path:object_id>", str(row.pk if row else 0))
    if route.startswith("admin/"):
        route = route.replace("<int:pk>", "1")
    else:
        for prefix, pk in SITE_OBJECTS.items():
            if route.startswith(prefix):
                route = route.replace("<int:pk>", str(pk(world)))
    for name, value in EXTRA_ARGS.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value(world)), route)
    if "<" in route:
        return None
    return "/" + route


def test_every_page_with_a_post_form_is_in_the_catalogue(agency, applicant):
    world = build_world(agency, applicant)
    catalogued = {entry.name for entry in CATALOGUE}
    clients = {}
    missing, unreached = [], []
    for _name, route in ROUTES:
        url = fill(route, world)
        if url is None:
            unreached.append(route)
            continue
        persona = "superuser" if route.startswith("admin/") else "applicant"
        client = clients.setdefault(persona, client_for(world, persona))
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for form in page_forms(response.text):
                target = resolve(urlsplit(form.action or url).path).view_name
                if target not in catalogued and target not in NOT_FUZZED:
                    missing.append(f"{target} (a form on {url})")
    assert missing == [], "\n".join(missing)
    # Routes that take a regex or a parameter this test cannot fill: none of them is a form.
    assert sorted(unreached) == sorted(UNREACHED), unreached


UNREACHED = [
    "admin/(?P<url>.*)$",
    "admin/^(?P<app_label>auth|copsgrants|django_otp_webauthn|applications|mou|training|axes|post_office|otp_totp|otp_static)/$",
    "admin/applications/agency/^([^/]+)/history/([^/]+)/$",
    "admin/applications/application/^([^/]+)/history/([^/]+)/$",
    "admin/applications/membership/^([^/]+)/history/([^/]+)/$",
    "admin/applications/solicitation/^([^/]+)/history/([^/]+)/$",
    "admin/post_office/email/^(?P<pk>\\d+)/image/(?P<content_id>[0-9a-f]{32})$",
    "admin/r/<path:content_type_id>/<path:object_id>/",
]


@pytest.mark.parametrize("entry", SITE + ADMIN_CUSTOM, ids=lambda e: e.id)
def test_each_catalogued_page_shows_its_form_to_its_persona(agency, applicant, entry):
    world = build_world(agency, applicant)
    target = entry.url(world)
    response = client_for(world, entry.persona).get((entry.page or entry.url)(world), follow=True)
    assert response.status_code == 200
    if entry.page is None:
        target = response.request["PATH_INFO"]  # where a redirect led (password reset)
    assert page_form(response.text, target), response.text[:3000]

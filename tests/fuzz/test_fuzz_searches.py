"""The GET forms (the admin's list search and filters, finding an agency, verifying a letter or a
certificate) answer hostile input with a page, never a server error: NUL and control characters
(which PostgreSQL refuses in a query), 1 MB strings, huge numbers, impossible dates."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_fuzz_forms import ANY, SCALE
from .world import build_world

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(ANY, st.sampled_from(["\x00", "a\x00", "%00", "' OR 1=1 --", "\\", "%"]))

SITE_SEARCHES = [
    ("applications:agency_find", "identifier"),
    ("applications:verify_letter", "code"),
    ("training_certificates:verify", "code"),
]


def test_admin_list_searches_and_filters_never_error(agency, applicant):
    world = build_world(agency, applicant)
    client = Client(raise_request_exception=False)
    client.force_login(world.superuser, backend="django.contrib.auth.backends.ModelBackend")
    lists = [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]

    @settings(max_examples=len(lists) * 2 * SCALE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(url=st.sampled_from(lists), value=HOSTILE,
           param=st.sampled_from(["q", "o", "p", "status", "agency__state", "state", "all",
                                  "created__gte", "e", "_to_field"]))  # fmt: skip
    def run(url, value, param):
        response = client.get(url, {param: value})
        assert response.status_code != 500, (url, param, value)

    run()


@pytest.mark.parametrize(("name", "field"), SITE_SEARCHES)
def test_site_searches_never_error(agency, applicant, name, field):
    world = build_world(agency, applicant)
    client = Client(raise_request_exception=False)
    client.force_login(world.applicant, backend="django.contrib.auth.backends.ModelBackend")

    @settings(max_examples=10 * SCALE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(value=HOSTILE)
    def run(value):
        response = client.get(reverse(name), {field: value})
        assert response.status_code in (200, 400), (name, value, response.status_code)

    run()


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_a_nul_character_in_any_admin_filter_is_a_bad_request_not_a_server_error(
    agency, applicant, value
):
    world = build_world(agency, applicant)
    client = Client(raise_request_exception=False)
    client.force_login(world.superuser, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:applications_application_changelist")
    for param in ("status", "status__exact", "q", "agency__state", value):
        response = client.get(url, {param: value})
        assert response.status_code == 400, (param, response.status_code)
        assert "Something went wrong with that request" in response.text
    assert client.get(url, {"status": "draft"}).status_code == 200

"""templates/base.html draws its static and URL links with copsgrants/templatetags/page_chrome.py
(each string worked out once per process): the page is byte-identical to the same template drawn
with Django's own `{% static %}` and `{% url %}`, for every kind of visitor."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import clear_script_prefix, set_script_prefix

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def base_source() -> tuple[str, str]:
    """base.html as it is, and as it was with Django's tags."""
    engine = engines["django"].engine
    source = engine.find_template("base.html")[0].source
    django_tags = source.replace("{% load page_chrome %}", "{% load static %}")
    django_tags = re.sub(r"\{% static_url ('[^']+') %\}", r"{% static \1 %}", django_tags)
    django_tags = re.sub(r"\{% page_url ('[^']+') %\}", r"{% url \1 %}", django_tags)
    assert "page_url" not in django_tags and "static_url" not in django_tags
    return source, django_tags


def drawn(source: str, user) -> str:
    request = RequestFactory().get("/dashboard/")
    request.user = user
    html = engines["django"].from_string(source).render({"user": user}, request)
    # The sign-out form's CSRF token is masked afresh on every render.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


@pytest.mark.parametrize("kind", ["anonymous", "applicant", "staff"])
def test_base_html_is_byte_identical_to_djangos_tags(kind):
    user = {
        "anonymous": AnonymousUser,
        "applicant": UserFactory,
        "staff": lambda: UserFactory(is_staff=True),
    }[kind]()
    ours, djangos = base_source()
    first = drawn(ours, user)
    assert first == drawn(djangos, user)
    assert drawn(ours, user) == first  # again, from the per-process strings
    assert 'href="/dashboard/"' in first or kind == "anonymous"


def test_a_script_prefix_is_honoured_not_cached_over():
    ours, djangos = base_source()
    user = UserFactory()
    plain = drawn(ours, user)
    set_script_prefix("/grants/")
    try:
        prefixed = drawn(ours, user)
        assert prefixed == drawn(djangos, user)
    finally:
        clear_script_prefix()
    assert 'href="/grants/dashboard/"' in prefixed
    assert drawn(ours, user) == plain

"""Every URL of the public site against every kind of visitor, from the declarations in
access_map.py: anonymous visitors are sent to sign in (except on public pages), a member of
another agency gets a 404 for every agency object, a plain member is refused the Authorized
Representative's actions, and a member of the agency does reach each page (so the 404s are not
just broken URLs). Each test walks every URL and reports every failure at once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import get_resolver, reverse

from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.copsgrants.test_security import PUBLIC as SIGN_IN_WALK_PUBLIC
from tests.copsgrants.test_security import walk
from tests.factories import UserFactory

from .access_map import (
    ADMIN_ACTIONS,
    ADMIN_SITE,
    AGENCY,
    AR_ONLY,
    HISTORY_VERSION_PAGE,
    MODEL_PAGES,
    PUBLIC,
    SIGNED_IN,
    SITE,
    Access,
)
from .world import World

pytestmark = pytest.mark.django_db

ROUTES = list(walk(get_resolver().url_patterns))
NAMES = {name for name, _ in ROUTES if name}


def requests(world: World, kinds: set[str]) -> Iterator[tuple[str, Access, str, str, dict]]:
    """(name, access, method, url, data) for each declared method of each URL of `kinds`."""
    for name, access in sorted(SITE.items()):
        if access.kind not in kinds:
            continue
        url = reverse(name, args=access.args(world))
        for method in access.methods:
            yield name, access, method, url, access.data(world) if method == "POST" else {}


def send(client, method: str, url: str, data: dict):
    return client.post(url, data) if method == "POST" else client.get(url)


def audit_count() -> int:
    return AuditEvent.objects.count()


# The declarations ----------------------------------------------------------------------------


def test_every_url_name_of_the_site_is_declared_and_every_declaration_exists():
    site = {name for name in NAMES if not name.startswith("admin:")}
    assert sorted(site - SITE.keys()) == [], "URLs whose access is not declared in access_map"
    assert sorted(SITE.keys() - site) == [], "declared in access_map but no longer URLs"


def test_every_admin_url_is_a_model_page_a_site_page_or_a_declared_action():
    registered = [model._meta for model in admin.site._registry]
    pages = (*MODEL_PAGES, HISTORY_VERSION_PAGE)
    model_pages = {f"admin:{o.app_label}_{o.model_name}_{p}" for o in registered for p in pages}
    admin_names = {name for name in NAMES if name.startswith("admin:")}
    undeclared = admin_names - model_pages - ADMIN_SITE - ADMIN_ACTIONS.keys()
    assert sorted(undeclared) == [], "admin URLs whose permission is not declared"
    assert sorted((ADMIN_ACTIONS.keys() | ADMIN_SITE) - admin_names) == [], "stale declarations"
    # The unnamed patterns are Django's own: the old change URL's redirect and the catch-all.
    unnamed = {route for name, route in ROUTES if not name}
    django_redirects = {f"admin/{o.app_label}/{o.model_name}/<path:object_id>/" for o in registered}
    assert unnamed - django_redirects == {"admin/(?P<url>.*)$"}


def test_the_public_pages_are_the_ones_the_sign_in_walk_allows():
    declared = {name for name, access in SITE.items() if access.kind == PUBLIC}
    walk_public = {name for name in SIGN_IN_WALK_PUBLIC if name in NAMES}
    assert declared == {n for n in walk_public if not n.startswith("admin:")}


# Anonymous visitors ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_everywhere_but_the_public_pages(client, world):
    before = audit_count()
    failures = []
    for name, access, method, url, data in requests(world, {PUBLIC, SIGNED_IN, AGENCY, AR_ONLY}):
        response = send(client, method, url, data)
        status = response.status_code
        if access.kind == PUBLIC:
            if status >= 500 or (status == 302 and "?next=" in response.url):
                failures.append(f"{method} {url} ({name}) public but answered {status}")
        elif status != 302 or not response.url.startswith(reverse("login") + "?next="):
            failures.append(f"{method} {url} ({name}) answered {status} to an anonymous visitor")
    assert not failures, "\n".join(failures)
    assert audit_count() == before, "an anonymous visitor changed something"


# Another agency ------------------------------------------------------------------------------


def test_a_member_of_another_agency_gets_a_404_for_every_agency_object(client, world):
    client.force_login(world.outsider)
    before = audit_count()
    failures = []
    for name, _access, method, url, data in requests(world, {AGENCY, AR_ONLY}):
        response = send(client, method, url, data)
        if response.status_code != 404:
            failures.append(f"{method} {url} ({name}) answered {response.status_code}")
    assert not failures, "\n".join(failures)
    assert audit_count() == before, "another agency's member changed something"


def test_a_post_only_url_answers_a_get_with_405_and_reveals_nothing(client, world):
    client.force_login(world.outsider)
    for name, access in SITE.items():
        if access.kind in {AGENCY, AR_ONLY} and access.methods == ("POST",):
            response = client.get(reverse(name, args=access.args(world)))
            assert response.status_code in {404, 405}, name


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_staff_without_an_agency_get_a_404_for_agency_pages(client, world, role):
    """COPS staff work in the admin; on the agency site they reach only the downloads their
    permission allows (test_downloads)."""
    client.force_login(UserFactory(roles=[role]))
    failures = []
    for name, access, method, url, data in requests(world, {AGENCY, AR_ONLY}):
        if access.download:
            continue
        response = send(client, method, url, data)
        if response.status_code != 404:
            failures.append(f"{method} {url} ({name}) answered {response.status_code}")
    assert not failures, "\n".join(failures)


# The agency's own members --------------------------------------------------------------------


def test_a_member_of_the_agency_reaches_every_agency_page(client, world):
    """The same URLs that are 404s for others work for the agency: a plain member for agency
    objects, the Authorized Representative for the actions only they may take."""
    failures = []
    for name, access, method, url, data in requests(world, {SIGNED_IN, AGENCY, AR_ONLY}):
        user = world.representative if access.kind == AR_ONLY else world.member
        client.force_login(user)
        if method == "POST" and "GET" in access.methods:
            continue  # the GET proves the page; its POST is the action, tested by its app
        response = send(client, method, url, data | access.member_data(world))
        # A POST reached its view when it is done, redirected, or refused for its body (the
        # security key endpoints answer 422 to a credential that is not one).
        expected = {200} if method == "GET" else {200, 302, 400, 422}
        if response.status_code not in expected:
            failures.append(f"{method} {url} ({name}) answered {response.status_code}")
    assert not failures, "\n".join(failures)


def posts_to(html: str, url: str) -> bool:
    forms = re.findall(r"<form[^>]*>", html)
    return any('method="post"' in f and f'action="{url}"' in f for f in forms) or bool(
        [f for f in forms if 'method="post"' in f and "action=" not in f]
    )


def test_a_plain_member_is_refused_the_authorized_representatives_actions(client, world):
    client.force_login(world.member)
    before = audit_count()
    failures = []
    for name, _access, method, url, data in requests(world, {AR_ONLY}):
        response = send(client, method, url, data)
        status = response.status_code
        if method == "POST" and status not in {403, 404}:
            failures.append(f"POST {url} ({name}) answered {status}")
        # A page that explains why is fine, as long as it offers no form to act.
        offered = status != 200 or posts_to(response.text, url)
        if method == "GET" and status not in {403, 404} and offered:
            failures.append(f"GET {url} ({name}) offered the action ({status})")
    assert not failures, "\n".join(failures)
    assert audit_count() == before, "a plain member changed something"


def test_a_pending_or_removed_member_is_a_stranger(client, world):
    from applications.models import Membership

    client.force_login(world.pending.user)
    for name, _access, method, url, data in requests(world, {AGENCY, AR_ONLY}):
        assert send(client, method, url, data).status_code == 404, f"{method} {url} ({name})"
    Membership.objects.filter(pk=world.member_membership.pk).update(
        status=Membership.Status.REMOVED
    )
    client.force_login(world.member)
    for name, _access, method, url, data in requests(world, {AGENCY, AR_ONLY}):
        assert send(client, method, url, data).status_code == 404, f"{method} {url} ({name})"


# Downloads ----------------------------------------------------------------------------------


def test_every_download_is_an_attachment_that_may_not_be_sniffed(client, world):
    client.force_login(world.member)
    downloads = [(n, a) for n, a in SITE.items() if a.download]
    assert len(downloads) == 5  # letter, award file, MOU version, MOU guide, certificate
    for name, access in downloads:
        response = client.get(reverse(name, args=access.args(world)))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body[:4] in {b"%PDF", b"PK\x03\x04"}, name


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_staff_download_exactly_the_files_their_group_may_view(client, world, role):
    client.force_login(UserFactory(roles=[role]))
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }
    for name, access in SITE.items():
        if not access.download or access.staff_perm is None:
            continue
        response = client.get(reverse(name, args=access.args(world)))
        expected = 200 if access.staff_perm in granted else 404
        assert response.status_code == expected, f"{role} {name}"
        if expected == 200:
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"


def test_naming_another_agency_in_the_query_or_the_form_is_a_404(client, world):
    """Training pages act for the agency `?agency=` (or a posted `agency`) names: only the
    user's own."""
    pages = [reverse(n) for n in ("training:catalogue", "training:roster", "training:officer_add")]
    pages.append(reverse("training:session_detail", args=[world.session.pk]))
    client.force_login(world.outsider)
    for url in pages:
        assert client.get(f"{url}?agency={world.agency.pk}").status_code == 404, url
        assert client.post(url, {"agency": world.agency.pk}).status_code == 404, url
    client.force_login(world.member)
    for url in pages:
        assert client.get(f"{url}?agency={world.agency.pk}").status_code == 200, url

"""Each staff group against every admin page: the standard pages of every registered ModelAdmin
open exactly for the groups whose permissions (copsgrants.roles.role_permissions) allow them,
every custom admin URL (access_map.ADMIN_ACTIONS) exactly for the groups holding the
permission it names, and a signed-in agency user who is not staff is sent to the admin's sign-in
page everywhere under /admin/. tests/applications/test_roles_matrix.py checks that each staff
action takes effect for its group; this checks who may open each page at all."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from copsgrants import roles
from tests.factories import UserFactory

from .access_map import ADMIN_ACTIONS, ADMIN_SITE, MODEL_PAGES
from .world import World

pytestmark = pytest.mark.django_db

MISSING = "999999999"  # a primary key no row has
NEED_ARGS = {"admin:app_list", "admin:view_on_site"}


def granted(role: str) -> set[str]:
    return set(roles.role_permissions()[role])


def has(perms: set[str], opts, *actions: str) -> bool:
    return any(f"{opts.app_label}.{action}_{opts.model_name}" in perms for action in actions)


class Superuser:
    is_active = is_staff = is_superuser = True

    def has_perm(self, *args) -> bool:
        return True


def as_superuser(model_admin, check: str, obj=None) -> bool:
    """Whether the ModelAdmin offers the page at all (some never do: an application is never
    added or edited in the admin, whatever the permissions)."""
    request = RequestFactory().get("/admin/")
    request.user = Superuser()
    method = getattr(model_admin, f"has_{check}_permission")
    return method(request, obj) if check in {"change", "delete", "view"} else method(request)


def refused(response) -> bool:
    """403, or (a row outside the user's own list, such as another reviewer's assignment) a
    404 or Django's redirect to the admin index."""
    if response.status_code in {403, 404}:
        return True
    return response.status_code == 302 and response.url == reverse("admin:index")


def model_page_expectations(role: str):
    """(url, should open, what) for every standard page of every registered ModelAdmin."""
    perms = granted(role)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        row = model._default_manager.order_by("pk").first()
        key = str(row.pk) if row is not None else MISSING
        may_view = has(perms, opts, "view", "change")
        yield reverse(f"{prefix}_changelist"), may_view, "changelist"
        may_add = has(perms, opts, "add") and as_superuser(model_admin, "add")
        yield reverse(f"{prefix}_add"), may_add, "add"
        for page in ("change", "history"):
            yield reverse(f"{prefix}_{page}", args=[key]), may_view, page
        may_delete = has(perms, opts, "delete") and as_superuser(model_admin, "delete", row)
        yield reverse(f"{prefix}_delete", args=[key]), may_delete, "delete"


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_each_staff_group_opens_exactly_the_model_pages_its_permissions_allow(client, world, role):
    assert granted(role) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }, "the group in the database differs from role_permissions()"
    client.force_login(UserFactory(roles=[role]))
    failures, opened = [], 0
    for url, should_open, page in model_page_expectations(role):
        response = client.get(url)
        if should_open:
            # A row outside the user's own list (a reviewer's assignments) is "not found".
            ok = response.status_code == 200 or (page != "changelist" and refused(response))
            opened += response.status_code == 200
        else:
            ok = refused(response)
        if not ok:
            failures.append(f"{role}: GET {url} answered {response.status_code}")
    assert not failures, "\n".join(failures)
    assert opened >= 5, f"{role} opened only {opened} admin pages"


def action_allowed(perm: str, perms: set[str]) -> bool:
    if ":" in perm:
        action, dotted = perm.split(":")
        app_label, model_name = dotted.split(".")
        actions = ("view", "change") if action == "view" else (action,)
        return any(f"{app_label}.{a}_{model_name}" in perms for a in actions)
    return perm in perms


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_each_custom_admin_page_opens_only_for_groups_holding_its_permission(client, world, role):
    perms = granted(role)
    client.force_login(UserFactory(roles=[role]))
    failures = []
    for name, action in sorted(ADMIN_ACTIONS.items()):
        url = reverse(name, args=action.args(world))
        status = client.get(url).status_code
        if action_allowed(action.perm, perms):
            # Scoped pages also depend on the row (its state, or whose it is).
            ok = status < 500 if action.scoped else status == 200
        else:
            ok = status in {403, 404}
        if not ok:
            failures.append(f"{role}: GET {url} ({name}, needs {action.perm}) answered {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_every_staff_group_reaches_the_admin_index(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("admin:index")).status_code == 200


def every_admin_url(world: World) -> list[str]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        for page in MODEL_PAGES:
            args = [] if page in {"changelist", "add"} else [MISSING]
            urls.append(reverse(f"{prefix}_{page}", args=args))
        urls.append(f"/admin/{opts.app_label}/{opts.model_name}/1/")  # the old change URL
    urls += [reverse(name, args=action.args(world)) for name, action in ADMIN_ACTIONS.items()]
    # (admin:logout sends anyone who is not staff to the index, which sends them to sign in.)
    urls += [reverse(name) for name in ADMIN_SITE - {"admin:login", "admin:logout"} - NEED_ARGS]
    urls += [
        reverse("admin:app_list", args=["applications"]),
        reverse("admin:view_on_site", args=["1", "1"]),
        "/admin/no-such-page/",
    ]
    return urls


def test_an_agency_user_who_is_not_staff_is_sent_to_the_admin_sign_in_everywhere(client, world):
    client.force_login(world.representative)
    login = reverse("admin:login")
    failures = []
    for url in every_admin_url(world):
        for method in ("GET", "POST"):
            response = client.post(url) if method == "POST" else client.get(url)
            if response.status_code != 302 or not response.url.startswith(login + "?next="):
                failures.append(f"{method} {url} answered {response.status_code}")
    assert len(every_admin_url(world)) > 150
    assert not failures, "\n".join(failures)
    response = client.get(reverse("admin:logout"))
    assert response.status_code == 302 and response.url == reverse("admin:index")


# Spot checks of what each group is for ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        (roles.REVIEWER, "admin:applications_drawdown_changelist", 403),
        (roles.REVIEWER, "admin:applications_award_changelist", 403),
        (roles.REVIEWER, "admin:copsgrants_user_changelist", 403),
        (roles.TRAINING_COORDINATOR, "admin:mou_mouversion_changelist", 403),
        (roles.TRAINING_COORDINATOR, "admin:applications_application_changelist", 403),
        (roles.TRAINING_COORDINATOR, "admin:training_course_add", 200),
        (roles.PROGRAM_SPECIALIST, "admin:training_course_add", 403),
        (roles.PROGRAM_SPECIALIST, "admin:applications_drawdown_changelist", 200),
        (roles.PROGRAM_SPECIALIST, "admin:applications_fundingplan_changelist", 403),
        (roles.GRANTS_MANAGER, "admin:applications_fundingplan_changelist", 200),
        (roles.GRANTS_MANAGER, "admin:applications_solicitation_add", 200),
        (roles.GRANTS_MANAGER, "admin:training_certificate_changelist", 403),
        (roles.GRANTS_MANAGER, "admin:auth_group_changelist", 403),
        (roles.PROGRAM_SPECIALIST, "admin:post_office_email_changelist", 403),
        (roles.PROGRAM_SPECIALIST, "admin:axes_accessattempt_changelist", 403),
    ],
)
def test_spot_checks_of_each_groups_admin(client, role, url_name, status):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse(url_name)).status_code == status


def test_spot_checks_of_each_groups_admin_actions(client, world):
    drawdown = reverse("admin:applications_drawdown_approve", args=[world.drawdown.pk])
    review = reverse("admin:mou_mouversion_review", args=[world.mou.pk])
    cancel = reverse("admin:training_coursesession_cancel", args=[world.session.pk])
    expected = {
        roles.PROGRAM_SPECIALIST: {drawdown: 200, review: 200, cancel: 403},
        roles.REVIEWER: {drawdown: 403, review: 403, cancel: 403},
        roles.GRANTS_MANAGER: {drawdown: 403, review: 403, cancel: 403},
        roles.TRAINING_COORDINATOR: {drawdown: 403, review: 403, cancel: 200},
    }
    for role, answers in expected.items():
        client.force_login(UserFactory(roles=[role]))
        for url, status in answers.items():
            assert client.get(url).status_code in {status, 404 if status == 403 else status}, (
                role,
                url,
            )


def test_every_admin_download_is_an_attachment_that_may_not_be_sniffed(client, world):
    downloads = {name: a for name, a in ADMIN_ACTIONS.items() if a.download}
    assert len(downloads) == 5  # audit bundle, ranking CSV and XLSX, breakdowns, roster CSV
    for name, action in downloads.items():
        role = next(r for r in roles.STAFF_ROLES if action_allowed(action.perm, granted(r)))
        client.force_login(UserFactory(roles=[role]))
        response = client.get(reverse(name, args=action.args(world)))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["X-Content-Type-Options"] == "nosniff", name

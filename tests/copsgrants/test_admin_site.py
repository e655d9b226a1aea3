"""The staff site keeps each permission set's app list, and each sidebar it draws, per process:
a granted or revoked permission shows on the next page, the sidebar is the one Django's own
template draws, and nobody can change a kept list by changing what they were given."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from copsgrants.admin_site import CopsAdminSite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DJANGO_ADMIN = "django.contrib.admin.options"

# Every has_*_permission override of a registered ModelAdmin, read and found to answer from
# request.user.has_perm (or super()) or a constant: the app list is kept per permission set.
# An override that reads anything else from the request must go into the key before it is
# added here.
AUDITED_OVERRIDES = {
    "AccessAttemptAdmin.has_add_permission",
    "AccessFailureLogAdmin.has_add_permission",
    "AccessLogAdmin.has_add_permission",
    "ApplicationAdmin.has_add_permission",
    "ApplicationAdmin.has_change_permission",
    "ApplicationAdmin.has_delete_permission",
    "AuditEventAdmin.has_add_permission",
    "AuditEventAdmin.has_change_permission",
    "AuditEventAdmin.has_delete_permission",
    "AwardAdmin.has_add_permission",
    "AwardAdmin.has_change_permission",
    "AwardAdmin.has_delete_permission",
    "CourseAdmin.has_delete_permission",
    "CourseSessionAdmin.has_delete_permission",
    "DataFlagAdmin.has_add_permission",
    "DataFlagAdmin.has_change_permission",
    "DataFlagAdmin.has_delete_permission",
    "DrawdownAdmin.has_add_permission",
    "DrawdownAdmin.has_change_permission",
    "DrawdownAdmin.has_delete_permission",
    "EmailAdmin.has_add_permission",
    "FundingPlanAdmin.has_add_permission",
    "FundingPlanAdmin.has_change_permission",
    "FundingPlanAdmin.has_delete_permission",
    "MembershipAdmin.has_add_permission",
    "MembershipAdmin.has_delete_permission",
    "MouReminderAdmin.has_add_permission",
    "MouReminderAdmin.has_change_permission",
    "MouReminderAdmin.has_delete_permission",
    "MouVersionAdmin.has_add_permission",
    "MouVersionAdmin.has_change_permission",
    "MouVersionAdmin.has_delete_permission",
    "OfficerHireAdmin.has_add_permission",
    "OfficerHireAdmin.has_change_permission",
    "OfficerHireAdmin.has_delete_permission",
    "ReadOnlyAdmin.has_add_permission",
    "ReadOnlyAdmin.has_change_permission",
    "ReadOnlyAdmin.has_delete_permission",
    "ReviewAssignmentAdmin.has_add_permission",
    "ReviewAssignmentAdmin.has_change_permission",
    "ReviewAssignmentAdmin.has_delete_permission",
    "ScoringRulesAdmin.has_change_permission",
    "ScoringRulesAdmin.has_delete_permission",
    "ScoringRunAdmin.has_add_permission",
    "ScoringRunAdmin.has_change_permission",
    "ScoringRunAdmin.has_delete_permission",
    "SimpleHistoryAdmin.has_change_permission",
    "SimpleHistoryAdmin.has_view_permission",
    "WebAuthnCredentialAdmin.has_add_permission",
}
PERMISSION_METHODS = [
    "has_module_permission",
    "get_model_perms",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
]


def test_the_site_is_ours():
    assert isinstance(admin.site, CopsAdminSite)


def test_every_permission_override_of_a_registered_admin_has_been_read():
    overrides = {
        getattr(type(model_admin), name).__qualname__
        for model_admin in admin.site._registry.values()
        for name in PERMISSION_METHODS
        if getattr(type(model_admin), name).__module__ != DJANGO_ADMIN
    }
    assert overrides == AUDITED_OVERRIDES


def sidebar_models(response) -> set[str]:
    return {model["object_name"] for app in response.context["available_apps"]
            for model in app["models"]}  # fmt: skip


def test_a_granted_or_revoked_permission_shows_on_the_next_page(signed_in):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    client = signed_in(staff)
    url = reverse("admin:applications_application_changelist")
    response = client.get(url)
    assert sidebar_models(response) == {"Application"}
    assert 'href="/admin/applications/agency/"' not in response.text

    view_agency = Permission.objects.get(codename="view_agency")
    staff.user_permissions.add(view_agency)
    response = client.get(url)
    assert sidebar_models(response) == {"Application", "Agency"}
    assert 'href="/admin/applications/agency/"' in response.text

    staff.user_permissions.remove(view_agency)
    response = client.get(url)
    assert sidebar_models(response) == {"Application"}
    assert 'href="/admin/applications/agency/"' not in response.text

    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    assert "Agency" in sidebar_models(client.get(url))


def test_changing_a_returned_list_leaves_the_kept_one_alone(rf: RequestFactory):
    request = rf.get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    first = admin.site.get_app_list(request)
    names = [app["name"] for app in first]
    perms = dict(first[0]["models"][0]["perms"])
    first[0]["models"][0]["perms"]["add"] = "changed"
    first[0]["models"].clear()
    first.clear()
    again = admin.site.get_app_list(request)
    assert [app["name"] for app in again] == names
    assert again[0]["models"][0]["perms"] == perms


def test_the_kept_list_is_djangos_own(rf: RequestFactory):
    request = rf.get("/admin/")
    request.user = UserFactory(is_staff=True)
    request.user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    admin.site.get_app_list(request)  # kept
    assert admin.site.get_app_list(request) == admin.AdminSite.get_app_list(admin.site, request)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/applications/",
        "/admin/applications/application/",
        "/admin/applications/application/12/change/",
        "/admin/applications/agency/?state=WY",
        "/admin/mou/mouversion/",
        "/admin/copsgrants/user/3/password/",
        "/admin/%C3%A9t%C3%A9/",
    ],
)
@pytest.mark.parametrize("who", ["superuser", "viewer", "nobody"])
def test_the_sidebar_is_the_one_djangos_template_draws(rf: RequestFactory, path, who):
    request = rf.get(path)
    request.user = UserFactory(is_staff=True, is_superuser=who == "superuser")
    if who == "viewer":
        request.user.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_application", "change_user"])
        )
    context = {"available_apps": admin.site.get_app_list(request), "request": request}
    engine = engines["django"]
    ours = engine.from_string("{% load admin_chrome %}{% nav_sidebar %}")
    djangos = engine.from_string('{% include "admin/nav_sidebar.html" %}')
    expected = djangos.render(context, request)
    assert ours.render(context, request) == expected  # drawn
    assert ours.render(context, request) == expected  # kept
    if who == "nobody":
        assert "permission to view or edit anything" in expected
    elif path.startswith("/admin/applications/application/"):
        assert 'aria-current="page"' in expected

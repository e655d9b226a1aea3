import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command

from applications.models import Agency, Membership
from copsgrants import roles
from copsgrants.demo import DEMO_LOGINS
from copsgrants.models import User

pytestmark = pytest.mark.django_db

SEEDED_MODELS = ["copsgrants.User", "copsgrants.AuditEvent", "applications.Agency",
                 "applications.Membership", "auth.Group", "applications.Solicitation",
                 "applications.ScoringRules", "applications.Application",
                 "applications.SchoolPartner"]  # fmt: skip


def snapshot() -> str:
    objects = []
    for label in SEEDED_MODELS:
        objects += list(apps.get_model(label).objects.order_by("pk"))
    return serializers.serialize("json", objects)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_every_demo_login_with_its_role():
    output = seed()
    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password("copsgrants-demo")
        assert login.email in output
        assert user.is_staff == login.staff
        if login.role:
            assert list(user.groups.values_list("name", flat=True)) == [login.role]
    assert User.objects.get(email="admin@demo.test").is_superuser


def test_the_demo_applicant_and_member_share_an_agency_and_other_is_elsewhere():
    seed()
    springfield = Agency.objects.get(ori="IL08401")
    applicant = Membership.objects.get(user__email="applicant@demo.test")
    assert applicant.agency == springfield
    assert applicant.is_authorized_representative and applicant.is_administrator
    member = Membership.objects.get(user__email="member@demo.test")
    assert member.agency == springfield
    assert not (member.is_authorized_representative or member.is_administrator)
    others = Membership.objects.filter(user__email="other@demo.test")
    assert others.exists()
    assert not others.filter(agency=springfield).exists()


def test_running_seed_demo_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "users: 0 created" in output


def test_the_demo_has_an_open_solicitation_and_applications_in_each_agency_state():
    seed()
    from applications.models import Application, Solicitation

    assert Solicitation.objects.open().filter(code="O-COPS-2026-CHP").exists()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "withdrawn"} <= statuses
    draft = Application.objects.get(agency__ori="IL08401", status="draft")
    assert draft.solicitation.is_open()


def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")
    seed()
    assert User.objects.get(email="reviewer@demo.test").check_password("another-demo-secret")


def test_the_data_migration_creates_the_staff_groups_with_their_permissions():
    for role, perms in roles.role_permissions().items():
        group = Group.objects.get(name=role)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(perms)
    assert "applications.change_agency" not in roles.role_permissions()[roles.REVIEWER]

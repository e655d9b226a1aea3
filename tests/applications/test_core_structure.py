"""The core is shaped to carry more apps: one access rule, no upward imports, small modules, and
the services are the only way a state changes."""

import ast
from html import escape
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import reverse

from applications import services
from applications.models import Agency, Application, Membership, membership_or_404
from copsgrants import roles
from tests.factories import ApplicationFactory, MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


# One access rule --------------------------------------------------------------------------------


def test_only_active_memberships_grant_access(agency, member):
    membership = Membership.objects.get(user=member)
    assert list(Membership.objects.active_for(member)) == [membership]
    assert list(Agency.objects.for_user(member)) == [agency]
    for status in (
        Membership.Status.PENDING,
        Membership.Status.DECLINED,
        Membership.Status.REMOVED,
    ):
        Membership.objects.filter(pk=membership.pk).update(status=status)
        assert not Membership.objects.active_for(member).exists()
        assert not Agency.objects.for_user(member).exists()
        assert not Application.objects.for_user(member).exists()
        with pytest.raises(Http404):
            membership_or_404(member, agency.pk)


@pytest.mark.parametrize("agency_id", ["²", "\u0661", "", "abc", "-1", "0", "9" * 30, "1.0", " 1"])
def test_a_malformed_agency_id_is_a_404(applicant, agency_id):
    with pytest.raises(Http404):
        membership_or_404(applicant, agency_id)


def test_starting_an_application_with_a_superscript_agency_id_is_a_404(signed_in, applicant):
    application = ApplicationFactory.build()
    application.solicitation.save()
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[application.solicitation.pk]),
        {"agency": "²"},
    )
    assert response.status_code == 404


def test_a_removed_member_no_longer_sees_the_agency_on_the_dashboard(
    signed_in, applicant, member, agency
):
    services.remove_member(membership=Membership.objects.get(user=member), by=applicant)
    html = signed_in(member).get(reverse("applications:dashboard")).text
    assert escape(agency.legal_name) not in html
    assert ">Active<" not in html


def test_a_pending_request_is_listed_as_requested(signed_in, other_agency, member):
    MembershipFactory(user=member, agency=other_agency, pending=True)
    html = signed_in(member).get(reverse("applications:dashboard")).text
    assert escape(other_agency.legal_name) in html


# Staff roles ------------------------------------------------------------------------------------


def test_each_app_declares_its_own_staff_role_permissions():
    collected = roles.role_permissions()
    assert "applications.return_application" in collected[roles.PROGRAM_SPECIALIST]
    assert "copsgrants.view_auditevent" in collected[roles.PROGRAM_SPECIALIST]
    declared = {
        config.label
        for config in apps.get_app_configs()
        if getattr(config, "staff_role_permissions", None)
    }
    assert {"applications", "copsgrants"} <= declared
    for role, perms in collected.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(perms), role


# Layering ---------------------------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_imports_no_app_above_it():
    upward = ("applications", "mou", "training")
    for path in (ROOT / "copsgrants").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = {m for m in imported_modules(path) if m.split(".")[0] in upward}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
    urls = (ROOT / "copsgrants" / "urls.py").read_text()
    assert '"applications.urls"' in urls  # included by name, not imported


def test_applications_imports_neither_mou_nor_training():
    """The MOU app clears the award's condition through an applications service, and the
    implementation services ask only "is this award withheld, and why?"."""
    for path in (ROOT / "applications").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in ("mou", "training")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
        assert "import_module(" not in path.read_text(), path.relative_to(ROOT)


def test_completeness_rules_need_no_forms():
    assert "django.forms" not in imported_modules(ROOT / "applications" / "checks.py")
    services_dir = ROOT / "applications" / "services"
    for path in services_dir.glob("*.py"):
        source = path.read_text()
        assert ".sections" not in source and "forms" not in imported_modules(path), path.name


def test_no_python_module_of_the_apps_is_over_500_lines():
    for app in ("applications", "copsgrants", "mou", "training"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines"


# No bypasses ------------------------------------------------------------------------------------


def test_a_save_without_the_version_field_is_stale_and_changes_nothing(
    signed_in, applicant, agency
):
    application = ApplicationFactory(agency=agency, cp_problem="Newer answer.")
    application.section_versions = {"community-policing": 1}
    application.save()
    response = signed_in(applicant).post(
        reverse("applications:application_section", args=[application.pk, "community-policing"]),
        {"cp_problem": "Older answer from a form that lost its version.", "return": "1"},
    )
    assert response.status_code == 200
    assert "Someone else saved this section" in response.text
    application.refresh_from_db()
    assert application.cp_problem == "Newer answer."
    assert application.section_version("community-policing") == 1


def test_an_empty_version_is_stale_too(applicant, agency):
    application = ApplicationFactory(agency=agency)
    with pytest.raises(services.StaleSection):
        services.save_section(
            application=application,
            slug="community-policing",
            data={"cp_problem": "x"},
            version=None,
            by=applicant,
        )


def test_submission_records_a_field_history_row(applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    services.submit_application(application=application, by=applicant, certified_name="A B")
    statuses = list(application.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[-1] == Application.Status.SUBMITTED
    assert Application.Status.DRAFT in statuses
    # Repeating it changes nothing and writes no second row.
    services.submit_application(application=application, by=applicant, certified_name="A B")
    assert application.history.count() == len(statuses)


def test_one_home_for_the_tracking_number_format():
    assert Application.format_tracking_number(fiscal_year=2026, pk=42) == "CHP26-000042"
    offenders = [
        path.relative_to(ROOT)
        for path in (ROOT / "applications").rglob("*.py")
        if 'f"CHP' in path.read_text() and path.name != "applications.py"
    ]
    assert offenders == []

"""COPS staff roles are Django groups. Data migrations call `sync_role_groups` so every
environment has the same groups with the same permissions; later apps extend ROLE_PERMISSIONS
and add a migration that calls it again."""

from __future__ import annotations

PROGRAM_SPECIALIST = "Program specialist"
REVIEWER = "Reviewer"
GRANTS_MANAGER = "Grants manager"
TRAINING_COORDINATOR = "Training coordinator"

STAFF_ROLES = (PROGRAM_SPECIALIST, REVIEWER, GRANTS_MANAGER, TRAINING_COORDINATOR)

# "app_label.codename" for each role.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    PROGRAM_SPECIALIST: [
        "applications.view_agency",
        "applications.change_agency",
        "applications.view_membership",
        "applications.change_membership",
        "applications.view_solicitation",
        "applications.view_scoringrules",
        "applications.view_application",
        "applications.return_application",
        "copsgrants.view_user",
        "copsgrants.view_auditevent",
    ],
    REVIEWER: [
        "applications.view_agency",
        "applications.view_solicitation",
        "applications.view_application",
    ],
    GRANTS_MANAGER: [
        "applications.view_agency",
        "applications.view_membership",
        "applications.view_solicitation",
        "applications.add_solicitation",
        "applications.change_solicitation",
        "applications.view_scoringrules",
        "applications.add_scoringrules",
        "applications.view_application",
        "applications.return_application",
        "copsgrants.view_user",
        "copsgrants.view_auditevent",
    ],
    TRAINING_COORDINATOR: [
        "applications.view_agency",
    ],
}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create the role groups and set exactly the permissions listed (usable as a RunPython)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after `migrate` finishes; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            # A permission whose model a later migration creates is granted when that
            # migration calls this function again.
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)

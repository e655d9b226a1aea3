"""COPS staff roles are Django groups. Data migrations call `sync_role_groups` so every
environment has the same groups with the same permissions. Each app declares the permissions its
roles need on its AppConfig (`staff_role_permissions`) and adds a migration that calls
`sync_role_groups` again when they change."""

from __future__ import annotations

PROGRAM_SPECIALIST = "Program specialist"
REVIEWER = "Reviewer"
GRANTS_MANAGER = "Grants manager"
TRAINING_COORDINATOR = "Training coordinator"

STAFF_ROLES = (PROGRAM_SPECIALIST, REVIEWER, GRANTS_MANAGER, TRAINING_COORDINATOR)


def role_permissions() -> dict[str, list[str]]:
    """ "app_label.codename" for each role, collected from the installed apps: an app's AppConfig
    declares `staff_role_permissions = {role: [codename, ...]}` for its own models, so the core
    never names an app above it."""
    from django.apps import apps

    collected: dict[str, list[str]] = {role: [] for role in STAFF_ROLES}
    for config in apps.get_app_configs():
        for role, codenames in getattr(config, "staff_role_permissions", {}).items():
            collected[role].extend(f"{config.label}.{codename}" for codename in codenames)
    return collected


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
    for role, perms in role_permissions().items():
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

from django.apps import AppConfig

from . import roles


class CopsgrantsConfig(AppConfig):
    name = "copsgrants"
    verbose_name = "Accounts and audit"
    # What each staff role may do with this app's models (collected by roles.sync_role_groups).
    staff_role_permissions = {
        roles.PROGRAM_SPECIALIST: ["view_user", "view_auditevent"],
        roles.GRANTS_MANAGER: ["view_user", "view_auditevent"],
    }

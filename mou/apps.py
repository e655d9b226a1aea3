from django.apps import AppConfig

from copsgrants import roles


class MouConfig(AppConfig):
    name = "mou"
    verbose_name = "SRO memoranda of understanding"
    # What each staff role may do with this app's models (collected by roles.sync_role_groups).
    staff_role_permissions = {
        roles.PROGRAM_SPECIALIST: [
            "view_mouversion", "review_mouversion", "view_mouelementcheck", "view_moureminder",
        ],
        roles.GRANTS_MANAGER: ["view_mouversion", "view_mouelementcheck", "view_moureminder"],
    }  # fmt: skip

    def ready(self) -> None:
        from . import panels  # noqa: F401  (registers the MOU panel on the award page)

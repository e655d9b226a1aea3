from django.apps import AppConfig

from copsgrants import roles


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "NASRO training"
    # What each staff role may do with this app's models (collected by roles.sync_role_groups).
    staff_role_permissions = {
        roles.TRAINING_COORDINATOR: [
            "view_course", "add_course", "change_course",
            "view_coursesession", "add_coursesession", "change_coursesession",
            "cancel_coursesession", "record_attendance",
            "view_officer", "view_enrollment", "view_certificate",
        ],
        roles.PROGRAM_SPECIALIST: [
            "view_course", "view_coursesession", "view_officer", "view_enrollment",
            "view_certificate",
        ],
        roles.GRANTS_MANAGER: ["view_course", "view_coursesession", "view_enrollment"],
    }  # fmt: skip

    def ready(self) -> None:
        from . import panels  # noqa: F401  (registers the training panel on the dashboard)

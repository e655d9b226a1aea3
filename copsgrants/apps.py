from django.apps import AppConfig


class CopsgrantsConfig(AppConfig):
    name = "copsgrants"
    verbose_name = "Accounts and audit"

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from copsgrants.demo import DEMO_LOGINS, DEMO_TOTP_KEY, demo_password


class Command(BaseCommand):
    help = "Load demo users, agencies and data. Safe to run again: it changes nothing then."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                try:
                    module = import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app_config.name}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {demo_password()})"))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<24} {login.description}")
        self.stdout.write(
            f"Staff accounts ask for a two-step verification code: add the key {DEMO_TOTP_KEY} "
            f"to an authenticator app, or run `oathtool --totp -b {DEMO_TOTP_KEY}`."
        )

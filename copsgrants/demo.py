"""Demo users. Each app may define `<app>.demo.seed(*, stdout)`; `seed_demo` runs them in
INSTALLED_APPS order, so the core never imports the apps that depend on it."""

from __future__ import annotations

import os
from base64 import b32decode
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .models import User


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    description: str
    role: str | None = None
    superuser: bool = False

    @property
    def staff(self) -> bool:
        return self.superuser or self.role is not None


DEMO_LOGINS = [
    DemoLogin("applicant@demo.test", "Alex", "Rivera",
              "Authorized Representative and administrator of Springfield Police Department"),
    DemoLogin("member@demo.test", "Morgan", "Lee", "member of Springfield Police Department"),
    DemoLogin("other@demo.test", "Olivia", "Grant",
              "administrator of Riverton County Sheriff's Office and Lakeside Police Department"),
    DemoLogin("specialist@demo.test", "Sam", "Patel", "COPS program specialist",
              roles.PROGRAM_SPECIALIST),
    DemoLogin("reviewer@demo.test", "Riley", "Chen", "COPS reviewer", roles.REVIEWER),
    DemoLogin("reviewer2@demo.test", "Avery", "Kim", "COPS reviewer (the second on each FY25 "
              "application)", roles.REVIEWER),
    DemoLogin("manager@demo.test", "Jordan", "Brooks", "COPS grants manager",
              roles.GRANTS_MANAGER),
    DemoLogin("approver@demo.test", "Devon", "Price", "COPS grants manager (approved the FY25 "
              "funding plan Jordan drafted)", roles.GRANTS_MANAGER),
    DemoLogin("coordinator@demo.test", "Casey", "Nguyen", "NASRO training coordinator",
              roles.TRAINING_COORDINATOR),
    DemoLogin("admin@demo.test", "Ada", "Admin", "superuser", superuser=True),
]  # fmt: skip


# Every staff persona's authenticator app holds this key (README "Demo logins"): add it to any
# app, or compute a code with `oathtool --totp -b JBSWY3DPEHPK3PXP`.
DEMO_TOTP_KEY = "JBSWY3DPEHPK3PXP"


def ensure_demo_app_device(user: User) -> None:
    TOTPDevice.objects.get_or_create(
        user=user,
        name="Demo authenticator",
        defaults={"key": b32decode(DEMO_TOTP_KEY).hex(), "confirmed": True},
    )


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "copsgrants-demo")


def ensure_user(login: DemoLogin) -> tuple[User, bool]:
    user = User.objects.filter(email=login.email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=login.email,
        password=demo_password(),
        first_name=login.first_name,
        last_name=login.last_name,
        is_staff=login.staff,
        is_superuser=login.superuser,
    )
    if login.role:
        user.groups.add(Group.objects.get(name=login.role))
    return user, True


def seed(*, stdout) -> None:
    created = []
    for login in DEMO_LOGINS:
        user, new = ensure_user(login)
        if new:
            created.append(login.email)
        if login.staff:
            ensure_demo_app_device(user)
    stdout.write(f"users: {len(created)} created, {len(DEMO_LOGINS) - len(created)} already there")

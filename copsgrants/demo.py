"""Demo users. Each app may define `<app>.demo.seed(*, stdout)`; `seed_demo` runs them in
INSTALLED_APPS order, so the core never imports the apps that depend on it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth.models import Group

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
    created = [login.email for login in DEMO_LOGINS if ensure_user(login)[1]]
    stdout.write(f"users: {len(created)} created, {len(DEMO_LOGINS) - len(created)} already there")

from __future__ import annotations

import shutil
import socket

import pytest
from django.conf import settings

from copsgrants import roles
from copsgrants.celery import app as celery_app

from .factories import AgencyFactory, MembershipFactory, UserFactory


def require(available: bool, what: str) -> None:
    """Skip when a service is missing, unless CI asked for every service (then fail)."""
    if available:
        return
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (COPSGRANTS_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _eager_celery():
    """Unit tests run tasks in-process; tests marked `worker` start a real worker instead."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; hashing strength is not what these tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Personas ---------------------------------------------------------------------------------


@pytest.fixture
def agency(db):
    return AgencyFactory(legal_name="Springfield Police Department", state="IL", ori="IL08401")


@pytest.fixture
def applicant(agency):
    """Authorized Representative and administrator of `agency`."""
    membership = MembershipFactory(
        agency=agency, administrator=True, authorized_representative=True
    )
    return membership.user


@pytest.fixture
def member(agency):
    return MembershipFactory(agency=agency).user


@pytest.fixture
def other_agency(db):
    return AgencyFactory(legal_name="Riverton County Sheriff's Office", state="WY", ori="WY01300")


@pytest.fixture
def other_agency_applicant(other_agency):
    return MembershipFactory(
        agency=other_agency, administrator=True, authorized_representative=True
    ).user


@pytest.fixture
def program_specialist(db):
    return UserFactory(roles=[roles.PROGRAM_SPECIALIST])


@pytest.fixture
def reviewer(db):
    return UserFactory(roles=[roles.REVIEWER])


@pytest.fixture
def grants_manager(db):
    return UserFactory(roles=[roles.GRANTS_MANAGER])


@pytest.fixture
def signed_in(client):
    """`signed_in(user)` returns the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

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
def _eager_celery(request):
    """Unit tests run tasks in-process; tests marked `worker` start a real worker instead."""
    celery_app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    celery_app.conf.task_always_eager = False


def broker_available() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return True
    parsed = urlparse(url)
    return port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379)


@pytest.fixture
def celery_worker_process(tmp_path):
    """A real `celery worker` process on the configured broker (Redis in CI, the filesystem
    transport locally). Its email goes to files under the returned `outbox` folder."""
    require(broker_available(), f"the Celery broker at {settings.CELERY_BROKER_URL}")
    if settings.REQUIRE_SERVICES:
        assert settings.CELERY_BROKER_URL.startswith("redis"), "CI must test against Redis"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    log = (tmp_path / "worker.log").open("w")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "copsgrants.settings",
        "EMAIL_URL": f"filemail:///{outbox}",  # four slashes: an absolute path
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "copsgrants", "worker", "--pool=solo",
         "--without-mingle", "--without-gossip", "--loglevel=INFO"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield outbox
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"gave up waiting after {timeout:.0f}s")


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

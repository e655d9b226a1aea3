from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

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


@dataclass
class CeleryWorker:
    outbox: Path  # the email it sent, one file per connection (Django's filemail backend)
    log: Path
    process: subprocess.Popen | None = None  # with --pool=solo, the process that runs tasks

    def sent(self) -> list[str]:
        return [path.read_text() for path in sorted(self.outbox.glob("*.log"))]

    def succeeded(self, task: str) -> int:
        """How many times the worker has finished running `task`."""
        return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", self.log.read_text()))


@pytest.fixture
def start_celery_worker(tmp_path):
    """`start_celery_worker(broker_url=..., beat=False)` starts a real `celery worker` process
    (with embedded beat when asked) that reads and writes the test database. It returns a
    CeleryWorker: its email goes to files in `.outbox`. The test needs a database the worker can
    see: PostgreSQL and `@pytest.mark.django_db(transaction=True)`."""
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (a worker process reads the test DB)")
    db = connection.settings_dict
    database_url = (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    processes: list[subprocess.Popen] = []
    logs = []

    def start(
        *, broker_url: str, beat: bool = False, broker_folder: Path | None = None
    ) -> CeleryWorker:
        name = f"worker{len(processes)}"
        worker = CeleryWorker(outbox=tmp_path / f"{name}-outbox", log=tmp_path / f"{name}.log")
        worker.outbox.mkdir()
        log = worker.log.open("w")
        logs.append(log)
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "copsgrants.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"filemail:///{worker.outbox}",  # four slashes: an absolute path
        }
        if broker_folder is not None:
            env["CELERY_BROKER_FOLDER"] = str(broker_folder)
        command = [sys.executable, "-m", "celery", "-A", "copsgrants", "worker", "--pool=solo",
                   "--without-mingle", "--without-gossip", "--loglevel=INFO"]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"{name}-beat-schedule")]
        worker.process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(worker.process)
        return worker

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
    for log in logs:
        log.close()


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """A real `celery worker` process on the configured broker (Redis in CI, the filesystem
    transport locally). Its email goes to files under the returned `outbox` folder."""
    require(broker_available(), f"the Celery broker at {settings.CELERY_BROKER_URL}")
    if settings.REQUIRE_SERVICES:
        assert settings.CELERY_BROKER_URL.startswith("redis"), "CI must test against Redis"
    return start_celery_worker(
        broker_url=settings.CELERY_BROKER_URL,
        broker_folder=settings.CELERY_BROKER_FOLDER,
    ).outbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway `redis-server` on a loopback port: stop() it to take the broker down."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=20)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None
        wait_for(lambda: not port_open("127.0.0.1", self.port), timeout=20)


@pytest.fixture
def redis_server(tmp_path):
    """A running RedisServer of this test's own; the shared Redis is left alone."""
    require(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.process.kill()
        server.process.wait(timeout=20)


@pytest.fixture
def publish_to(settings):
    """`publish_to(url, transport_options)` points this process's Celery app (and the settings
    /healthz reads) at another broker for the rest of the test."""
    conf = celery_app.conf
    saved = (conf.get("broker_write_url"), conf.broker_transport_options)

    def drop_connections() -> None:
        # The app picks its connection pools (kombu keeps one per broker) from broker_url once.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def point(url: str, transport_options: dict | None = None) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = transport_options or {}
        # broker_write_url: a CELERY_BROKER_URL in the environment (CI sets one) beats broker_url.
        conf.broker_write_url = url
        conf.broker_transport_options = transport_options or {}
        drop_connections()

    yield point
    conf.broker_write_url, conf.broker_transport_options = saved
    drop_connections()


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


@pytest.fixture(autouse=True)
def _staff_sessions_present_a_second_factor(request, monkeypatch):
    """Client.force_login of a staff user also marks the session verified with a real confirmed
    TOTP device of theirs (as django_otp.login does), so tests of staff pages need not go
    through the code step. Tests marked `second_factor_gate` keep the plain force_login."""
    if request.node.get_closest_marker("second_factor_gate") is not None:
        return
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY

    from .mfa_helpers import confirmed_app_device

    plain_force_login = ClientMixin.force_login

    def force_login(self, user, backend=None):
        plain_force_login(self, user, backend)
        if user.is_staff or user.is_superuser:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = confirmed_app_device(user).persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def signed_in(client):
    """`signed_in(user)` returns the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in

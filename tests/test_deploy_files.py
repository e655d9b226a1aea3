"""The Dockerfile, docker-compose.yml and .dockerignore agree with each other and with the app.

Docker is not available where the suite runs, so these read the files: a broken stage, a renamed
service, a typo'd setting name or gunicorn option fails here instead of at `docker compose up`.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.urls import resolve
from gunicorn.config import Config as GunicornConfig

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")

# Names compose passes that are read outside settings.py, and where.
READ_OUTSIDE_SETTINGS = {"DEMO_PASSWORD": "copsgrants/demo.py"}


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services(compose: dict) -> dict:
    return compose["services"]


def app_env(compose: dict, service: str) -> dict[str, str]:
    env = services(compose)[service]["environment"]
    assert isinstance(env, dict), f"{service}: environment should be a mapping"
    return {name: resolve_default(str(value)) for name, value in env.items()}


def resolve_default(value: str) -> str:
    """`${NAME:-default}` as compose would resolve it with NAME unset."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)


def command_text(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    stages: list[list[tuple[str, str]]] = []
    current = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # Docker also drops comment lines inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        instruction, _, arguments = (current + line).partition(" ")
        current = ""
        if instruction.upper() == "FROM":
            stages.append([])
        assert stages, "the Dockerfile should start with FROM"
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def instructions(stage: list[tuple[str, str]], name: str) -> list[str]:
    return [arguments for instruction, arguments in stage if instruction == name]


def env_values(stage: list[tuple[str, str]]) -> dict[str, str]:
    values = {}
    for arguments in instructions(stage, "ENV"):
        for item in shlex.split(arguments):
            name, _, value = item.partition("=")
            values[name] = value
    return values


def index_of(stage: list[tuple[str, str]], instruction: str, needle: str) -> int:
    for index, (name, arguments) in enumerate(stage):
        if name == instruction and needle in arguments:
            return index
    raise AssertionError(f"no {instruction} containing {needle!r}")


def python_code_in(command: str | list[str]) -> str:
    tokens = shlex.split(command) if isinstance(command, str) else command
    start = tokens.index("python")
    assert tokens[start + 1] == "-c"
    return tokens[start + 2]


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_defines_the_full_stack(compose):
    assert "version" not in compose, "the compose spec has no top-level version key"
    assert {"postgres", "redis", "s3", "mailpit", "proxy", *APP_SERVICES} <= set(services(compose))
    assert services(compose)["postgres"]["image"].startswith("postgres:16")
    assert services(compose)["redis"]["image"].startswith("redis:7")
    assert services(compose)["mailpit"]["image"].startswith("axllent/mailpit")
    assert "8025:8025" in services(compose)["mailpit"]["ports"]
    # The proxy publishes the app's port; the web replicas publish none (two could not share it).
    assert "8000:8000" in services(compose)["proxy"]["ports"]
    assert "ports" not in services(compose)["web"]


def test_migrate_web_worker_and_beat_share_one_image(compose):
    images = {services(compose)[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, f"app services run different images: {images}"
    build = services(compose)["web"]["build"]
    assert (build if isinstance(build, str) else build["context"]) == "."
    for name in ("migrate", "worker", "beat"):
        assert "build" not in services(compose)[name], f"{name} should reuse the web image"


def test_a_one_shot_service_migrates_and_web_serves_under_gunicorn(compose):
    migrate = services(compose)["migrate"]
    assert command_text(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no", "migrate exits when done; restarting it would loop"
    web = services(compose)["web"]
    command = json.loads(instructions(dockerfile_stages()[-1], "CMD")[-1])
    if "command" in web:
        command = shlex.split(command_text(web))
    assert command == ["gunicorn", "copsgrants.wsgi:application"]


def test_worker_and_beat_run_the_copsgrants_celery_app(compose):
    worker = command_text(services(compose)["worker"])
    beat = command_text(services(compose)["beat"])
    assert "celery -A copsgrants worker" in worker
    assert "celery -A copsgrants beat" in beat
    # The code directory is read-only to the app user, so the schedule file must live elsewhere.
    schedule = shlex.split(beat)[shlex.split(beat).index("--schedule") + 1]
    assert schedule.startswith("/tmp/")


def test_app_services_get_database_broker_and_mail_from_the_environment(compose):
    postgres = services(compose)["postgres"]["environment"]
    envs = [app_env(compose, name) for name in APP_SERVICES]
    assert all(env == envs[0] for env in envs), "the app services should share one environment"
    env = envs[0]

    database = urlparse(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]

    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        broker = urlparse(env[name])
        assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)

    mail = urlparse(env["EMAIL_URL"])
    assert (mail.scheme, mail.hostname, mail.port) == ("smtp", "mailpit", 1025)

    assert env["DJANGO_DEBUG"] == "0"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50


def test_every_compose_setting_is_one_the_app_reads(compose):
    settings_source = (ROOT / "copsgrants" / "settings.py").read_text()
    for name in app_env(compose, "web"):
        source = (
            (ROOT / READ_OUTSIDE_SETTINGS[name]).read_text()
            if name in READ_OUTSIDE_SETTINGS
            else settings_source
        )
        assert f'"{name}"' in source, f"compose sets {name}, which the app never reads"


def test_app_services_wait_for_healthy_database_and_broker(compose):
    assert "pg_isready" in healthcheck_text(services(compose)["postgres"])
    assert "redis-cli ping" in healthcheck_text(services(compose)["redis"])
    for name in APP_SERVICES:
        depends_on = services(compose)[name]["depends_on"]
        for backing in ("postgres", "redis"):
            assert depends_on[backing]["condition"] == "service_healthy", (name, backing)
    # Only the migrate service migrates; the others start once it has succeeded. None waits for
    # web's health check, which fails while email is stuck: the worker and beat must start then.
    for name in ("web", "worker", "beat"):
        depends_on = services(compose)[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert "web" not in depends_on, name


def test_the_beat_service_alone_runs_the_schedule_that_sweeps_the_outbox(compose):
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "copsgrants.tasks.sweep_outbox" in tasks

    def runs_beat(service: dict) -> bool:
        arguments = shlex.split(command_text(service)) if "command" in service else []
        return bool({"beat", "-B", "--beat"} & set(arguments))

    assert [name for name in APP_SERVICES if runs_beat(services(compose)[name])] == ["beat"]


def test_web_health_check_calls_healthz(compose):
    web = services(compose)["web"]
    check = healthcheck_text(web)
    url = urlparse(re.search(r"http://[^'\"\s]+", check).group(0))
    assert (url.port, url.path) == (8000, "/healthz")
    assert resolve(url.path).url_name == "healthz"
    # Django answers 400 to a Host it does not allow, which would read as "unhealthy".
    assert url.hostname in app_env(compose, "web")["DJANGO_ALLOWED_HOSTS"].split(",")
    compile(python_code_in(web["healthcheck"]["test"]), "web healthcheck", "exec")


def test_every_referenced_volume_is_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} mounts undeclared volume {source!r}"


# (Replicas, S3 storage and the bucket service: tests/test_deploy_scaling.py.)


# --- Makefile --------------------------------------------------------------------------------


def make_run_commands(*arguments: str, env: dict[str, str] | None = None) -> str:
    """What `make run` would execute (a dry run: nothing is installed or started)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    base = {name: value for name, value in os.environ.items() if name != "PORT"}
    result = subprocess.run(
        ["make", "--dry-run", "run", *arguments],
        cwd=ROOT, env=base | (env or {}), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def test_make_run_starts_a_worker_with_beat_beside_the_development_server():
    commands = make_run_commands()
    worker = next(line for line in commands.splitlines() if "celery -A copsgrants worker" in line)
    assert "--beat" in shlex.split(worker.rstrip("&\\ "))
    assert "manage.py runserver 127.0.0.1:8000" in commands


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_make_run_serves_on_the_port_given(how):
    if how == "argument":
        commands = make_run_commands("PORT=8001")
    else:
        commands = make_run_commands(env={"PORT": "8001"})
    assert "manage.py runserver 127.0.0.1:8001" in commands
    assert "127.0.0.1:8000" not in commands


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_builds_uswds_in_a_node_stage_and_runs_gunicorn():
    *builders, final = dockerfile_stages()
    node = next(stage for stage in builders if stage[0][1].startswith("node:"))
    node_from = node[0][1].split()
    assert node_from[1].upper() == "AS"
    assert any("package-lock.json" in copy for copy in instructions(node, "COPY"))
    assert any("npm ci" in run for run in instructions(node, "RUN"))

    assert final[0][1].startswith("python:3.11")
    uswds = index_of(final, "COPY", f"--from={node_from[2]}")
    assert "node_modules/@uswds" in final[uswds][1]
    code = index_of(final, "COPY", ". .")
    collectstatic = index_of(final, "RUN", "manage.py collectstatic --noinput")
    assert collectstatic > max(uswds, code), "collectstatic needs the code and USWDS in place"

    assert json.loads(instructions(final, "CMD")[-1]) == ["gunicorn", "copsgrants.wsgi:application"]
    assert "8000" in instructions(final, "EXPOSE")


def test_gunicorn_options_bind_all_interfaces_log_to_stdout_and_are_valid():
    env = env_values(dockerfile_stages()[-1])
    arguments = shlex.split(env["GUNICORN_CMD_ARGS"])
    options = GunicornConfig().parser().parse_args(arguments)  # exits on an unknown option
    assert options.bind == ["0.0.0.0:8000"]
    assert options.accesslog == "-"
    assert options.timeout
    assert int(env["WEB_CONCURRENCY"]) >= 2


def test_dockerfile_installs_the_weasyprint_libraries_and_fonts():
    installs = [run for run in instructions(dockerfile_stages()[-1], "RUN") if "apt-get" in run]
    assert len(installs) == 1
    install = installs[0]
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-"):
        assert package in install, package
    assert "--no-install-recommends" in install
    assert "rm -rf /var/lib/apt/lists" in install


def test_dockerfile_installs_with_the_constraints_file():
    final = dockerfile_stages()[-1]
    install = final[index_of(final, "RUN", "pip install")][1]
    assert "-c constraints.txt" in install
    assert "[dev]" not in install
    assert index_of(final, "COPY", "constraints.txt") < index_of(final, "RUN", "pip install")
    # The requirement list is generated from pyproject: it must be exactly the runtime dependencies.
    listed = subprocess.run(
        [sys.executable, "-c", python_code_in(install)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert listed == pyproject["dependencies"]


def test_the_app_runs_as_a_non_root_user_with_writable_media():
    final = dockerfile_stages()[-1]
    users = instructions(final, "USER")
    assert users and users[-1] not in {"root", "0"}
    assert index_of(final, "USER", users[-1]) < index_of(final, "CMD", "gunicorn")
    env = env_values(final)
    assert env["MEDIA_ROOT"] == "/app/var/media"
    prepare = final[index_of(final, "RUN", "collectstatic")][1]
    assert "mkdir -p /app/var/media" in prepare
    assert f"chown -R {users[-1]}:" in prepare
    # A volume mounted under var/ must not hide the collected static files.
    assert not env["STATIC_ROOT"].startswith("/app/var")


def test_image_health_check_calls_healthz():
    healthcheck = instructions(dockerfile_stages()[-1], "HEALTHCHECK")[-1]
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    compile(python_code_in(healthcheck.partition(" CMD ")[2]), "image healthcheck", "exec")


# --- .dockerignore ---------------------------------------------------------------------------


def test_dockerignore_keeps_local_state_out_but_not_what_the_build_needs():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for local in (".git", ".venv", "node_modules", "var", ".env"):
        assert local in patterns, local
    needed = ["pyproject.toml", "constraints.txt", "package.json", "package-lock.json"]
    needed += ["manage.py", "copsgrants", "applications", "templates", "static"]
    for name in needed:
        assert not any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name

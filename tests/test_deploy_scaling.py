"""More than one machine: docker-compose.yml runs two web and two worker replicas behind one
proxy, beat exactly once, and every app container keeps its state in the shared services
(PostgreSQL, Redis, the S3-compatible server), never on its own disk. The last test loads the
settings with compose's environment and checks where each kind of state goes."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tests.test_deploy_files import (
    APP_SERVICES,
    ROOT,
    app_env,
    command_text,
    dockerfile_stages,
    env_values,
    resolve_default,
    services,
)

# The app image's containers: the one-shot jobs and the long-running services.
APP_CONTAINERS = (*APP_SERVICES, "bucket")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def replicas(service: dict) -> int:
    return int(service.get("deploy", {}).get("replicas", 1))


def test_web_and_worker_run_two_replicas_and_beat_exactly_one(compose):
    assert replicas(services(compose)["web"]) >= 2
    assert replicas(services(compose)["worker"]) >= 2
    # A second beat would queue every periodic task twice.
    assert replicas(services(compose)["beat"]) == 1
    for name in APP_CONTAINERS:
        # A fixed container name would make a second replica impossible.
        assert "container_name" not in services(compose)[name], name


def test_one_proxy_publishes_the_port_and_forwards_to_the_web_replicas(compose):
    proxy = services(compose)["proxy"]
    arguments = shlex.split(command_text(proxy))
    assert arguments[arguments.index("--to") + 1] == "web:8000"
    assert arguments[arguments.index("--from") + 1] == ":8000"
    assert proxy["ports"] == ["8000:8000"]
    assert all("ports" not in services(compose)[name] for name in APP_CONTAINERS)
    # Login throttling must see the client's address, not the proxy's.
    assert app_env(compose, "web")["DJANGO_PROXY_COUNT"] == "1"


def test_every_app_container_stores_private_files_in_the_s3_server(compose):
    s3 = services(compose)["s3"]
    assert s3["image"].startswith("minio/minio")
    assert "s3-data:/data" in s3["volumes"]
    assert "mc ready local" in " ".join(s3["healthcheck"]["test"])
    credentials = {name: resolve_default(value) for name, value in s3["environment"].items()}
    for name in APP_CONTAINERS:
        env = app_env(compose, name)
        assert env["STORAGE_BACKEND"] == "s3", name
        endpoint = urlparse(env["AWS_S3_ENDPOINT_URL"])
        assert (endpoint.scheme, endpoint.hostname, endpoint.port) == ("http", "s3", 9000)
        assert env["AWS_STORAGE_BUCKET_NAME"]
        assert env["AWS_S3_ADDRESSING_STYLE"] == "path"  # MinIO has no per-bucket host names
        assert env["AWS_ACCESS_KEY_ID"] == credentials["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == credentials["MINIO_ROOT_PASSWORD"]
        assert len(credentials["MINIO_ROOT_PASSWORD"]) >= 8  # MinIO refuses a shorter one
        assert services(compose)[name]["depends_on"]["s3"]["condition"] == "service_healthy"


def test_no_app_container_mounts_a_volume(compose):
    # Nothing a replica writes may live on its own disk: a second web replica would not see it.
    for name in APP_CONTAINERS:
        assert not services(compose)[name].get("volumes"), name
    assert "media" not in (compose.get("volumes") or {})


def test_a_one_shot_service_creates_the_bucket_before_web_worker_and_beat_start(compose):
    bucket = services(compose)["bucket"]
    assert shlex.split(command_text(bucket)) == ["python", "manage.py", "ensure_storage_bucket"]
    assert bucket["restart"] == "no"
    assert bucket["image"] == services(compose)["web"]["image"]
    assert app_env(compose, "bucket") == app_env(compose, "web")
    for name in ("web", "worker", "beat"):
        condition = services(compose)[name]["depends_on"]["bucket"]["condition"]
        assert condition == "service_completed_successfully", name


def test_the_cache_broker_and_database_are_the_shared_servers(compose):
    env = app_env(compose, "web")
    cache = urlparse(env["CACHE_URL"])
    assert (cache.scheme, cache.hostname, cache.port) == ("redis", "redis", 6379)
    assert cache.path != urlparse(env["CELERY_BROKER_URL"]).path  # its own Redis database
    assert urlparse(env["DATABASE_URL"]).hostname == "postgres"


PROBE = """
import json
from pathlib import Path

import django

django.setup()
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages

from applications.models import AwardLetter


FILE_WORDS = ("root", "dir", "folder", "location", "file", "name")


def paths(value, key):
    # Filesystem paths in a setting: Path objects, and absolute strings under a key that names
    # a place on disk (cookie and URL paths such as "/" are not).
    if isinstance(value, Path):
        yield str(value)
    elif isinstance(value, str) and value.startswith("/") and value != "/":
        if any(word in key.lower() for word in FILE_WORDS):
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from paths(item, str(name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from paths(item, key)


def kind(instance):
    # __class__, not type(): a lazy proxy reports the class of what it wraps.
    return f"{instance.__class__.__module__}.{instance.__class__.__qualname__}"


field_storage = AwardLetter._meta.get_field("file").storage
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "storages": {alias: kind(storages[alias]) for alias in settings.STORAGES},
    "field_storage": kind(field_storage),
    "sessions": settings.SESSION_ENGINE,
    "cache": kind(caches["default"]),
    "email": settings.EMAIL_BACKEND,
    "axes": settings.AXES_HANDLER,
    "base_dir": str(settings.BASE_DIR),
    "var_dir": str(settings.VAR_DIR),
    "static_root": str(settings.STATIC_ROOT),
    "paths": {name: sorted(set(paths(getattr(settings, name), name)))
              for name in dir(settings) if name.isupper()},
}))
"""


def test_with_the_compose_environment_no_state_goes_to_the_local_disk(compose):
    image_env = env_values(dockerfile_stages()[-1])
    env = {
        "PATH": os.environ["PATH"],
        "STATIC_ROOT": image_env["STATIC_ROOT"],
        "MEDIA_ROOT": image_env["MEDIA_ROOT"],
        **app_env(compose, "web"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False,
        env=env | {"DJANGO_SETTINGS_MODULE": "copsgrants.settings"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert found["database"] == "django.db.backends.postgresql"  # not a SQLite file
    assert found["broker"].startswith("redis://")  # not the filesystem transport's folder
    assert not any("folder" in key for key in found["broker_options"])
    s3 = "storages.backends.s3.S3Storage"
    assert found["storages"]["private"] == found["storages"]["default"] == s3
    assert found["field_storage"] == s3  # the FileFields write where STORAGES says
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["axes"] == "axes.handlers.database.AxesDatabaseHandler"

    # Every path in the settings is the read-only code and assets of the image, or STATIC_ROOT
    # (collected at build time); MEDIA_ROOT and the broker folder are named but, as above, unused.
    base, var = Path(found["base_dir"]), Path(found["var_dir"])
    unused = {"MEDIA_ROOT", "CELERY_BROKER_FOLDER", "VAR_DIR"}
    for name, values in found["paths"].items():
        for value in values:
            path = Path(value)
            if name in unused or value == found["static_root"]:
                continue
            assert path.is_relative_to(base) and not path.is_relative_to(var), (name, value)


def run_settings(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True, check=False,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "copsgrants.settings"} | env,
    )  # fmt: skip


def test_the_compose_environment_passes_the_deploy_check(compose):
    result = run_settings(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        env=app_env(compose, "web") | {"DJANGO_SECURE_SSL_REDIRECT": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


def test_s3_storage_without_a_bucket_or_with_a_bad_addressing_style_stops_start_up(compose):
    env = app_env(compose, "web")
    missing = {name: value for name, value in env.items() if name != "AWS_STORAGE_BUCKET_NAME"}
    result = run_settings("manage.py", "check", env=missing)
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr
    result = run_settings("manage.py", "check", env=env | {"AWS_S3_ADDRESSING_STYLE": "sideways"})
    assert result.returncode != 0
    assert "AWS_S3_ADDRESSING_STYLE must be auto, path or virtual" in result.stderr

"""Private files (award letters, MOU versions, certificates) are reachable only through the
permission-checked download views: nothing serves the media root, the stored names are chosen
by the server, and guessing a file's path - under /media/, at the site root, through /static/
with `..` in every spelling - is a 404 for anyone, never the file's bytes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import storages
from django.urls import get_resolver

from applications.letters import file_name as letter_file_name
from copsgrants import roles
from tests.copsgrants.test_security import walk
from tests.factories import UserFactory
from training.certificates import file_name as certificate_file_name

from .world import FILE_FIELDS, World

pytestmark = pytest.mark.django_db


def stored(world: World) -> list[tuple[str, bytes]]:
    """(name in storage, bytes) of the world's letter, MOU version and certificate."""
    files = []
    for file in (world.offered.letters.get(version=1).file, world.mou.file, world.certificate.file):
        with file.open("rb") as handle:
            files.append((file.name, handle.read()))
    return files


def guesses(name: str, root: Path) -> list[str]:
    """URLs someone might try for the file stored as `name` under `root`."""
    absolute = root / name
    base = Path(django_settings.BASE_DIR)
    folder = root.name
    from_static = [os.path.relpath(absolute, Path(django_settings.STATIC_ROOT))]
    for entry in django_settings.STATICFILES_DIRS:
        directory = entry[1] if isinstance(entry, tuple) else entry
        from_static.append(os.path.relpath(absolute, directory))
    urls = [
        f"/media/{name}",
        f"/media/{Path(name).name}",
        f"/media/{folder}/{name}",
        f"/{name}",
        f"/{Path(name).name}",
        f"/var/{folder}/{name}",
        f"/{os.path.relpath(absolute, base)}",
        f"/{str(absolute).lstrip('/')}",
        f"/static/{name}",
    ]
    for relative in from_static:
        urls += [
            f"/static/{relative}",
            "/static/" + relative.replace("..", "%2e%2e"),
            "/static/" + relative.replace("/", "%2f"),
            "/static/" + relative.replace("../", "..%2f"),
            "/static/" + relative.replace("../", "%2e%2e%2f"),
            "/static/" + relative.replace("../", "..%5c"),
            "/static/" + relative.replace("..", "%252e%252e"),
            "/static/uswds/" + relative,
        ]
    return urls


@pytest.mark.parametrize("who", ["anonymous", "member", "specialist"])
def test_guessing_a_private_files_path_is_a_404_never_the_file(client, world, who, settings):
    if who == "member":
        client.force_login(world.member)
    elif who == "specialist":
        client.force_login(UserFactory(roles=[roles.PROGRAM_SPECIALIST]))
    root = Path(settings.MEDIA_ROOT)
    files = stored(world)
    assert len(files) == 3 and all((root / name).is_file() for name, _ in files)
    failures = []
    for name, content in files:
        for url in guesses(name, root):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code != 404 or content[:200] in body:
                failures.append(f"{who}: GET {url} answered {response.status_code}")
    assert not failures, "\n".join(failures)


def test_no_url_pattern_serves_the_media_root(settings):
    routes = [route for _, route in walk(get_resolver().url_patterns)]
    assert not [r for r in routes if r.startswith(("media", "var", "static"))]
    assert settings.MEDIA_URL in {"", "/"}  # never set: nothing has a media URL


def test_what_the_private_storage_would_call_a_files_url_is_not_served(client, world, settings):
    """The private storage has no base URL: asked for one, it can only give the bare name,
    which nothing serves, to anyone (and no template asks: downloads go through the views)."""
    client.force_login(UserFactory(roles=[roles.PROGRAM_SPECIALIST]))
    for field in FILE_FIELDS:
        assert field.storage.base_url in {"", None, "/", settings.MEDIA_URL}
    assert storages["private"].base_url in {"", None, "/"}
    for name, _content in stored(world):
        url = storages["private"].url(name)
        assert not url.startswith(("http:", "https:", "//"))
        assert client.get("/" + url.lstrip("/")).status_code == 404


def test_letter_and_certificate_names_carry_a_secret_token(world):
    """Stored names come from ids and a token derived from SECRET_KEY, so knowing an award
    number or a certificate id is not knowing a path (tests/mou checks the MOU's random name)."""
    letter = world.offered.letters.get(version=1)
    for name in (letter_file_name(letter), world.certificate.file.name):
        assert re.fullmatch(r"(letters|certificates)/[a-z]+-\d+(-v\d+)?-[0-9a-f]{20}\.pdf", name)
        assert world.offered.number not in name
    assert world.certificate.file.name == certificate_file_name(world.certificate)

"""One World per test module: built inside a transaction that is rolled back when the module
ends, while each test runs in its own savepoint (pytest-django's), so what a test changes is
undone before the next one and the world costs its few seconds once, not once per test."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from .world import build_world, private_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Beside STATIC_ROOT (var/), where the real media root lives, so `/static/../<media>/…`
    # is the traversal an attacker would try.
    root = Path(settings.STATIC_ROOT).parent / f"media-test-{uuid.uuid4().hex[:10]}"
    patch = pytest.MonkeyPatch()
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()
    try:
        private_media(root, patch)
        with override_settings(MEDIA_ROOT=root), django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        fast.disable()
        patch.undo()
        shutil.rmtree(root, ignore_errors=True)
